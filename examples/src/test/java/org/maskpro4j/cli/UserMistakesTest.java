package org.maskpro4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.maskpro4j.testing.RequiredData;

/**
 * Every mistake a user can fix ends with exit code 2, one line "maskpro: ..." that names the problem, no stack
 * trace, and no file (nor temporary file) in the output directory.
 */
class UserMistakesTest {

    @BeforeAll
    static void warmUp() {
        CliTestData.warmUp();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            unknown format            | --format onnx                              | Unknown model format "onnx"
            missing model file        | --model target/no-such-model.zip           | Model file not found
            malformed pattern         | --pattern 2-4                              | Malformed N:M pattern "2-4"
            pattern fits no layer     | --pattern 3:7                              | No layer of this model can carry a 3:7 mask
            llama text for the CNN    | --data {llamaText}                         | expected an IDX directory
            CSV labels out of range   | --data {labels.csv}                        | is not a class index in 0..9
            CSV features do not fit   | --data {features.csv}                      | does not fit this model
            keras format on a zip     | --format keras                             | is not an HDF5 file
            unknown method            | --method pruneall                          | Unknown method "pruneall"
            no examples               | --examples 0                               | must be positive
            unknown layer             | --include dense,nosuchlayer                | [nosuchlayer] do not exist
            output directory missing  | --out {dir}/missing/out.zip                | Output directory does not exist
            """)
    void pruneRefusesWithOneLine(String mistake, String change, String expected, @TempDir Path dir) throws IOException {
        Path model = CliTestData.fashionCnn();
        Path labels = dir.resolve("labels.csv");
        Files.writeString(labels, "12," + "0.5,".repeat(783) + "0.5\n3," + "0.1,".repeat(783) + "0.1\n");
        Path features = dir.resolve("features.csv");
        Files.writeString(features, "1,0.5,0.25\n3,0.1,0.2\n");
        List<String> args = new ArrayList<>(List.of("prune", "--model", model.toString(), "--data",
                CliTestData.FASHION.toString(), "--method", "magnitude", "--examples", "64", "--eval-examples", "64",
                "--out", dir.resolve("out.zip").toString(), "--json"));
        String[] option = change.strip().split(" ", 2);
        String value = option[1].replace("{llamaText}", RequiredData.shared("llama2c/tinystories_valid.txt").toString())
                .replace("{labels.csv}", labels.toString()).replace("{features.csv}", features.toString())
                .replace("{dir}", dir.toString());
        int at = args.indexOf(option[0]);
        if (at >= 0) {
            args.set(at + 1, value);
        } else {
            args.addAll(List.of(option[0], value));
        }

        String message = CliRun.of(args.toArray(String[]::new)).assertUserError();
        assertTrue(message.contains(expected.strip()), () -> mistake + ": \"" + message + "\" should say \"" + expected.strip() + "\"");
        try (Stream<Path> left = Files.list(dir)) {
            assertEquals(List.of("features.csv", "labels.csv"), left.map(p -> p.getFileName().toString()).sorted().toList(),
                    "nothing written");
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            no command                |                                                               | Missing command: choose one of prune, eval, verify
            unknown command           | shrink --model {cnn}                                          | Unmatched argument
            verify without pattern    | verify --model {cnn}                                          | Missing required option: '--pattern
            option of the wrong type  | eval --model {cnn} --data {fashion} --batch many              | '--batch': 'many' is not an int
            missing tokenizer         | eval --model {llama} --tokenizer {dir}/tok.bin --data {text}  | Tokenizer file not found
            directory for llama data  | eval --model {llama} --data {fashion}                         | llama2.c models read text files
            sweep range upside down   | sweep --model {cnn} --data {fashion} --lr 300:1 --out {dir}/s | --lr "300:1": Log-uniform range needs 0 < min < max
            sweep axis not a number   | sweep --model {cnn} --data {fashion} --alpha x:y --out {dir}/s | --alpha "x:y": not a number
            sweep score not measured  | sweep --model {cnn} --data {fashion} --score perplexity --examples 64 --eval-examples 64 --out {dir}/s | --score perplexity is not measured for this model; it measures [loss, error]
            sweep unknown prior       | sweep --model {cnn} --data {fashion} --prior best --out {dir}/s | --prior "best"
            missing config file       | prune --model {cnn} --data {fashion} --config {dir}/c.properties --out {dir}/o.zip | Settings file not found
            unknown prior             | prune --model {cnn} --data {fashion} --method maskpro --prior oracle --out {dir}/o.zip | Unknown prior "oracle": choose one of [magnitude, wanda, sparsegpt, sparsegpt-mask]
            llama table unknown row   | llama-results --rows dense,everything                         | Unknown row "everything"
            llama table unknown prior | llama-results --rows maskpro --prior oracle                   | Unknown prior "oracle"
            llama recovery alone      | llama-results --rows maskpro+reconstruct                      | Row "maskpro+reconstruct" starts from the maskpro row's masks
            llama maskllm budget      | llama-results --rows maskllm --maskllm-steps lots             | --maskllm-steps must be a number or "equal", got lots
            """)
    void otherCommandsRefuseWithOneLine(String mistake, String line, String expected, @TempDir Path dir) {
        String command = line == null ? "" : line.replace("{cnn}", CliTestData.fashionCnn().toString())
                .replace("{fashion}", CliTestData.FASHION.toString()).replace("{dir}", dir.toString())
                .replace("{llama}", RequiredData.shared("llama2c/stories260K.bin").toString())
                .replace("{text}", RequiredData.shared("llama2c/tinystories_valid.txt").toString());
        String message = CliRun.of(command.isBlank() ? new String[0] : command.strip().split(" +")).assertUserError();
        assertTrue(message.contains(expected.strip()), () -> mistake + ": \"" + message + "\" should say \"" + expected.strip() + "\"");
    }
}
