package org.maskpro4j.examples.data;

import org.maskpro4j.testing.RequiredData;

/** Fashion-MNIST as Debian installs it, for every test that reads it: skips locally when absent, fails in CI. */
public final class InstalledFashionMnist {
    private InstalledFashionMnist() {
    }

    public static FashionMnist get() {
        RequiredData.require(FashionMnist.isAvailable(FashionMnist.DEFAULT_DIRECTORY), "Fashion-MNIST in "
                + FashionMnist.DEFAULT_DIRECTORY + " (sudo apt-get install dataset-fashion-mnist)");
        return FashionMnist.atDefaultDirectory();
    }
}
