package org.maskpro4j.arbiter;

import org.deeplearning4j.arbiter.optimize.api.TaskCreator;
import org.deeplearning4j.arbiter.optimize.api.termination.TerminationCondition;
import org.deeplearning4j.arbiter.optimize.config.OptimizationConfiguration;
import org.deeplearning4j.arbiter.optimize.runner.IOptimizationRunner;
import org.deeplearning4j.arbiter.optimize.runner.LocalOptimizationRunner;

/**
 * Arbiter's local runner, one candidate at a time (they share the user's model), ended by {@link #DONE} and
 * without the thread beta7 leaks: its completion-listener pool is never shut down.
 */
final class SweepRunner extends LocalOptimizationRunner {

    /** True once the generator has nothing left and nothing is queued: every candidate ran or failed. */
    static final TerminationCondition DONE = new TerminationCondition() {
        @Override
        public void initialize(IOptimizationRunner runner) {
        }

        @Override
        public boolean terminate(IOptimizationRunner runner) {
            return !runner.getConfiguration().getCandidateGenerator().hasMoreCandidates()
                    && runner.numCandidatesQueued() == 0;
        }

        @Override
        public String toString() {
            return "all candidates done";
        }
    };

    SweepRunner(OptimizationConfiguration config, TaskCreator taskCreator) {
        super(1, config, taskCreator);
    }

    @Override
    public void execute() {
        try {
            super.execute();
        } finally {
            futureListenerExecutor.shutdown();
        }
    }
}
