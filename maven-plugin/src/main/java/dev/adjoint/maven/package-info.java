/**
 * adjoint-maven-plugin: {@code generate} runs the Adjoint processor alone over the project's
 * sources, {@code check} checks derivatives against finite differences in the build, and
 * {@code report} writes an HTML page per class showing source beside generated adjoint.
 */
package dev.adjoint.maven;
