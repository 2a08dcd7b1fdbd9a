package org.lims.consumer.deploy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.lims.consumer.bench.CdsTraining;
import org.lims.consumer.bench.ImageJvmFlags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The image's JVM flags name its class-data sharing archive once; the training swaps that flag for the one that writes
 * the archive, and the benchmark's jar gets its own archive or none, with every other flag as the image has it.
 */
class ClassDataArchiveFlagsTest {

    @Test
    void theImageReadsItsArchiveFromWhereTheImageBuildPutsIt() {
        assertTrue(ImageJvmFlags.read().contains(CdsTraining.ARCHIVE_FLAG + "/app/cds/lims-consumer.jsa"), ImageJvmFlags.read()::toString);
    }

    @Test
    void theTrainingWritesTheArchiveInPlaceOfReadingItAndKeepsEveryOtherFlag() {
        List<String> image = ImageJvmFlags.read();
        List<String> training = CdsTraining.withTrainingFlag(image, "-XX:ArchiveClassesAtExit=/cds-training/lims-consumer.jsa");
        assertEquals(image.size(), training.size());
        assertTrue(training.stream().noneMatch(f -> f.startsWith(CdsTraining.ARCHIVE_FLAG)), training::toString);
        int at = image.indexOf(CdsTraining.ARCHIVE_FLAG + "/app/cds/lims-consumer.jsa");
        assertEquals("-XX:ArchiveClassesAtExit=/cds-training/lims-consumer.jsa", training.get(at));
        for (int i = 0; i < image.size(); i++) {
            if (i != at) {
                assertEquals(image.get(i), training.get(i));
            }
        }
    }

    @Test
    void flagsThatNameNoArchiveCannotBeTrained() {
        assertThrows(IllegalStateException.class, () -> CdsTraining.withTrainingFlag(List.of("-XX:+UseSerialGC"), "-XX:ArchiveClassesAtExit=x.jsa"));
    }

    @Test
    void theJarRunsWithItsOwnArchiveOrNone() {
        Path archive = Path.of("target/bench/cds/lims-consumer.jsa");
        List<String> withOwn = ImageJvmFlags.forJar(archive);
        assertTrue(withOwn.contains(CdsTraining.ARCHIVE_FLAG + archive.toAbsolutePath()), withOwn::toString);
        assertEquals(ImageJvmFlags.read().size(), withOwn.size());
        List<String> without = ImageJvmFlags.forJar(null);
        assertTrue(without.stream().noneMatch(f -> f.startsWith(CdsTraining.ARCHIVE_FLAG)), without::toString);
        assertEquals(ImageJvmFlags.read().size() - 1, without.size());
    }
}
