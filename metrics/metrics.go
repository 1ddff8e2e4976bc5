// Package metrics keeps cmap's operational metrics and serves them in the
// Prometheus text format. Each server makes its own Metrics, with its own
// registry (the library's global default registry is not used), and
// hands it to the parts it observes:
//
//   - the GraphQL endpoint (graph.WithObserver): requests by operation
//     and outcome code, and their latency by operation;
//   - the App (app.Options.Observer): rule reloads by outcome, rebuilds
//     of the read model by cause, catch-ups with other instances by
//     result, with their durations;
//   - the Store (Store, a storemetrics decorator): the latency of every
//     database call by Store method, and its errors by code;
//   - the Go runtime and the process (memory, goroutines, GC, CPU, open
//     files).
//
// The series, all prefixed cmap_ but the runtime's (go_) and the
// process's (process_):
//
//	cmap_graphql_requests_total{operation,code}            counter
//	cmap_graphql_request_duration_seconds{operation}       histogram
//	cmap_rules_reloads_total{outcome}                      counter
//	cmap_rules_reload_duration_seconds{outcome}            histogram
//	cmap_readmodel_rebuild_duration_seconds{cause}         histogram
//	cmap_readmodel_catchup_duration_seconds{result}        histogram
//	cmap_readmodel_catchup_changes_total                   counter
//	cmap_store_call_duration_seconds{method}               histogram
//	cmap_store_call_errors_total{method,code}              counter
//
// Labels take bounded sets of values: operation as graph documents it
// (an operation's name, at most graph.MaxOperationNames of them, then
// "other"; "anonymous" without one), code an extensions.code of the API
// or "ok", outcome, cause and result the App's constants, method the
// methods of domain.Store, and the store's code one of domain's codes.
//
// Domain and store packages import none of this: the App and the
// GraphQL endpoint define the small interfaces that Metrics implements,
// and storemetrics times a Store for any observer.
package metrics

import (
	"cmap/domain"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"cmap/storemetrics"
)

// Buckets of the histograms, in seconds.
var (
	// requestBuckets reach the 15 s deadline of a GraphQL request.
	requestBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15}
	// rebuildBuckets reach the minutes a rebuild takes at ten times DoD
	// scale on the embedded database.
	rebuildBuckets = []float64{0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300}
	// storeBuckets go from an in-memory call to a slow scan.
	storeBuckets = []float64{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}
)

// Metrics are the metrics of one server. Its methods are safe for
// concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	graphqlRequests *prometheus.CounterVec
	graphqlDuration *prometheus.HistogramVec
	reloads         *prometheus.CounterVec
	reloadDuration  *prometheus.HistogramVec
	rebuildDuration *prometheus.HistogramVec
	catchUpDuration *prometheus.HistogramVec
	catchUpChanges  prometheus.Counter
	storeDuration   *prometheus.HistogramVec
	storeErrors     *prometheus.CounterVec
}

// New returns the metrics of a server, registered in a registry of their
// own with the Go runtime and process collectors.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		graphqlRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cmap_graphql_requests_total",
			Help: "GraphQL requests answered, by operation name and outcome: the extensions.code of the first error, or ok.",
		}, []string{"operation", "code"}),
		graphqlDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cmap_graphql_request_duration_seconds",
			Help:    "Time to answer a GraphQL request, from its arrival to the last byte written, by operation name.",
			Buckets: requestBuckets,
		}, []string{"operation"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cmap_rules_reloads_total",
			Help: "Rule reloads (the watcher's and the reloadRules mutation's), by outcome: applied, unchanged, rejected or failed.",
		}, []string{"outcome"}),
		reloadDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cmap_rules_reload_duration_seconds",
			Help:    "Time a rule reload took, applying the new rules to everything included, by outcome.",
			Buckets: rebuildBuckets,
		}, []string{"outcome"}),
		rebuildDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cmap_readmodel_rebuild_duration_seconds",
			Help:    "Time to rebuild the read model from every record (read, derive, store the changed facts, index), by cause: open, rules, framework or catch-up.",
			Buckets: rebuildBuckets,
		}, []string{"cause"}),
		catchUpDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cmap_readmodel_catchup_duration_seconds",
			Help:    "Time to catch up with other instances' writes, by result: applied (from the change log), rebuilt or failed.",
			Buckets: rebuildBuckets,
		}, []string{"result"}),
		catchUpChanges: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "cmap_readmodel_catchup_changes_total",
			Help: "Change log entries applied by catch-ups.",
		}),
		storeDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cmap_store_call_duration_seconds",
			Help:    "Latency of database calls, by Store method.",
			Buckets: storeBuckets,
		}, []string{"method"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cmap_store_call_errors_total",
			Help: "Database calls that returned an error, by Store method and error code (not_found and conflict are answers, internal a failure).",
		}, []string{"method", "code"}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.graphqlRequests, m.graphqlDuration, m.reloads, m.reloadDuration,
		m.rebuildDuration, m.catchUpDuration, m.catchUpChanges, m.storeDuration, m.storeErrors,
	)
	return m
}

// Handler serves the metrics in the Prometheus text format (or another
// format a scraper asks for). It is a plain handler: whoever mounts it
// decides who may read it.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ObserveRequest counts a GraphQL request answered with code and its
// latency, under operation (graph.RequestObserver).
func (m *Metrics) ObserveRequest(operation, code string, d time.Duration) {
	m.graphqlRequests.WithLabelValues(operation, code).Inc()
	m.graphqlDuration.WithLabelValues(operation).Observe(d.Seconds())
}

// RulesReloaded counts a rule reload by outcome (app.Observer).
func (m *Metrics) RulesReloaded(outcome string, d time.Duration) {
	m.reloads.WithLabelValues(outcome).Inc()
	m.reloadDuration.WithLabelValues(outcome).Observe(d.Seconds())
}

// Rebuilt observes a rebuild of the read model (app.Observer).
func (m *Metrics) Rebuilt(cause string, d time.Duration) {
	m.rebuildDuration.WithLabelValues(cause).Observe(d.Seconds())
}

// CaughtUp observes a catch-up with other instances (app.Observer).
func (m *Metrics) CaughtUp(result string, changes int, d time.Duration) {
	m.catchUpDuration.WithLabelValues(result).Observe(d.Seconds())
	m.catchUpChanges.Add(float64(changes))
}

// Store returns store with the latency of every call observed, and its
// errors counted by code.
func (m *Metrics) Store(store domain.Store) domain.Store {
	return storemetrics.Wrap(store, m.observeStoreCall)
}

func (m *Metrics) observeStoreCall(method string, d time.Duration, err error) {
	m.storeDuration.WithLabelValues(method).Observe(d.Seconds())
	if err != nil {
		m.storeErrors.WithLabelValues(method, domain.ErrorCode(err)).Inc()
	}
}
