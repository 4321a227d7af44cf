// Package prometheus holds donation_exporter's Prometheus rules: rules.yml
// (recording rules), alerts.yml (alerting rules), alerts_test.yml and
// alerts_history_test.yml (their promtool unit tests). Its Go test starts the
// exporter in demo mode and a real Prometheus loading these rules, then runs
// every query of the Grafana dashboard in ../grafana against it.
package prometheus
