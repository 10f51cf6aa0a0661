// Package metrics holds the gateway's Prometheus collectors, on a registry
// of its own so tests and the /metrics handler see exactly these.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Registry is what /metrics serves.
var Registry = prometheus.NewRegistry()

var (
	// Requests counts HTTP requests by route, method and status.
	Requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "autoledger_gateway_http_requests_total", Help: "HTTP requests by route, method and status.",
	}, []string{"route", "method", "status"})
	// Latency observes HTTP request duration by route.
	Latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "autoledger_gateway_http_request_duration_seconds", Help: "HTTP request latency by route.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method"})
	// Phase observes Fabric call duration by phase (evaluate, endorse, submit, commit).
	Phase = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "autoledger_gateway_fabric_phase_duration_seconds", Help: "Fabric call latency by phase.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, []string{"phase"})
	// Retries counts re-proposals by reason.
	Retries = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "autoledger_gateway_fabric_retries_total", Help: "Transactions proposed again, by reason.",
	}, []string{"reason"})
)

func init() {
	Registry.MustRegister(Requests, Latency, Phase, Retries,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}
