package search

import (
	"bufio"
	"encoding/json"
	"os"
	"syscall"
	"testing"
	"time"
)

// BenchmarkDocBuilder builds the index text of the first 1,000 updates of
// an NDJSON export named by CIVICMON_BENCH_NDJSON (skipped without it).
func BenchmarkDocBuilder(b *testing.B) {
	f, err := os.Open(os.Getenv("CIVICMON_BENCH_NDJSON"))
	if err != nil {
		b.Skip(err)
	}
	defer f.Close()
	type rec struct {
		Type                           string `json:"type"`
		Language, Title, Summary, Body string
	}
	var docs []rec
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() && len(docs) < 1000 {
		var r rec
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			b.Fatal(err)
		}
		if r.Type == "update" {
			docs = append(docs, r)
		}
	}
	c0 := cpuTime()
	var db DocBuilder
	for b.Loop() {
		for _, d := range docs {
			db.Add(d.Language, d.Title, d.Summary, d.Body)
			db.Doc()
		}
	}
	b.ReportMetric(float64((cpuTime()-c0).Nanoseconds())/float64(b.N*len(docs))/1000, "cpu-µs/update")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
