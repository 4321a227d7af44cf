// Package examples has no code. Its tests check the deployment examples
// beside it, compose/ and kubernetes/, against the exporter, the project's
// rule files and dashboard, and each other; and generate
// kubernetes/prometheusrule.yaml from ../prometheus (make prometheusrule).
package examples
