// Package metrics holds civicmon's Prometheus metrics: one registry per
// process, the collectors the server fills (requests by route pattern and
// status, their latency, the page cache, the database pools, the mail
// outbox) and small hooks the rest of the code calls to time an operation
// or count what it did:
//
//	defer metrics.Time("search")()        // civicmon_operation_duration_seconds{operation="search"}
//	metrics.Count("import_records", "update", n)
//
// The server serves them at /metrics, only on a listener of its own
// (serve --metrics-addr) or to a bearer token (--metrics-token): they are
// not public.
package metrics

import (
	"database/sql"
	"math"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Registry holds every civicmon metric of this process.
var Registry = prometheus.NewRegistry()

var (
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "civicmon_http_requests_total",
		Help: "HTTP requests answered, by route pattern (\"unmatched\" for none) and status code.",
	}, []string{"route", "status"})
	latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "civicmon_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10, 30},
	}, []string{"route"})
	pageCache = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "civicmon_page_cache_total",
		Help: "Page cache lookups, by result (hit or miss).",
	}, []string{"result"})
	operations = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "civicmon_operation_duration_seconds",
		Help:    "Time taken by an operation (search, statistics…).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5},
	}, []string{"operation"})
	counts = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "civicmon_events_total",
		Help: "Things done, by event (import_records, mail_sent, mail_given_up…) and kind.",
	}, []string{"event", "kind"})
)

func init() {
	Registry.MustRegister(requests, latency, pageCache, operations, counts,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "civicmon_outbox_pending",
			Help: "Mails in the outbox waiting to be sent."}, outboxGauge(false)),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "civicmon_outbox_failed",
			Help: "Mails in the outbox given up on (kept 30 days)."}, outboxGauge(true)),
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
}

// Request records one answered request.
func Request(route string, status int, d time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	requests.WithLabelValues(route, strconv.Itoa(status)).Inc()
	latency.WithLabelValues(route).Observe(d.Seconds())
}

// CacheLookup records a page cache hit or miss.
func CacheLookup(hit bool) {
	if hit {
		pageCache.WithLabelValues("hit").Inc()
	} else {
		pageCache.WithLabelValues("miss").Inc()
	}
}

// Time starts timing an operation; call what it returns when it ends.
func Time(operation string) func() {
	start := time.Now()
	return func() { Observe(operation, time.Since(start)) }
}

// Observe records that an operation took d.
func Observe(operation string, d time.Duration) {
	operations.WithLabelValues(operation).Observe(d.Seconds())
}

// Count adds n to an event's count.
func Count(event, kind string, n int) {
	if n > 0 {
		counts.WithLabelValues(event, kind).Add(float64(n))
	}
}

var (
	poolsMu sync.Mutex
	pools   = map[string]prometheus.Collector{}
)

// DBPools registers the statistics of a database's connection pools, by
// name — connections open, in use and idle, and the waits for a free
// connection: how many and for how long in all (go_sql_wait_count_total,
// go_sql_wait_duration_seconds_total{db_name=…}). A pool registered again
// under a name replaces the one before.
func DBPools(dbs map[string]*sql.DB) {
	poolsMu.Lock()
	defer poolsMu.Unlock()
	for name, db := range dbs {
		if old := pools[name]; old != nil {
			Registry.Unregister(old)
		}
		c := collectors.NewDBStatsCollector(db, name)
		Registry.MustRegister(c)
		pools[name] = c
	}
}

// outboxRead reads the outbox's depth at each scrape.
var outboxRead atomic.Pointer[func() (pending, failed int, err error)]

// Outbox sets how the outbox's depth is read (civicmon_outbox_pending,
// civicmon_outbox_failed).
func Outbox(read func() (pending, failed int, err error)) { outboxRead.Store(&read) }

func outboxGauge(failed bool) func() float64 {
	return func() float64 {
		read := outboxRead.Load()
		if read == nil {
			return 0
		}
		p, f, err := (*read)()
		if err != nil {
			return math.NaN()
		}
		if failed {
			return float64(f)
		}
		return float64(p)
	}
}

// Handler serves the metrics in the Prometheus text format.
func Handler() http.Handler {
	return promhttp.HandlerFor(Registry, promhttp.HandlerOpts{})
}
