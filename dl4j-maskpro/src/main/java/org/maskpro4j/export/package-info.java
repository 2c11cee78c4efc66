/**
 * Export of MaskPro-wrapped networks to ordinary DL4J networks that load without maskpro4j on the classpath.
 */
package org.maskpro4j.export;
