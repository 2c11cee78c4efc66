package org.maskpro4j.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** Missing data skips a local run and fails a CI run; present data does neither. */
class RequiredDataTest {
    private final String before = System.getProperty(RequiredData.REQUIRE_PROPERTY);

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(RequiredData.REQUIRE_PROPERTY);
        } else {
            System.setProperty(RequiredData.REQUIRE_PROPERTY, before);
        }
    }

    @Test
    void testRequire_MissingWhenRequired_Fails() {
        System.setProperty(RequiredData.REQUIRE_PROPERTY, "true");
        assertThrows(AssertionFailedError.class, () -> RequiredData.require(false, "the test's data"));
        assertThrows(AssertionFailedError.class, () -> RequiredData.shared("no/such/file.bin"));
        RequiredData.require(true, "present data");
    }

    @Test
    void testRequire_MissingLocally_Skips() {
        System.setProperty(RequiredData.REQUIRE_PROPERTY, "false");
        if (RequiredData.required()) {
            return; // CI=true in the environment: the failing branch is the one tested above
        }
        assertThrows(TestAbortedException.class, () -> RequiredData.require(false, "the test's data"));
        RequiredData.require(true, "present data");
    }
}
