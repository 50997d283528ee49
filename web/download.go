package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// downloadRetryAfter is what a download turned away is told to wait.
const downloadRetryAfter = 30 * time.Second

// StartDownload admits a long streamed answer (an export of /data/): at
// most Config.DownloadLimit run at once, each holding a database reader
// and its buffers while the client reads. Past the limit it answers 429
// with Retry-After itself and returns ok false. Otherwise the handler
// writes to out, whose every write must be taken by the client within
// Config.DownloadWriteTimeout (a client that stops reading is dropped, a
// slow one that keeps reading is not), and calls done when it has
// finished.
func (s *Server) StartDownload(w http.ResponseWriter, r *http.Request) (out io.Writer, done func(), ok bool) {
	select {
	case s.downloads <- struct{}{}:
	default:
		h := w.Header()
		h.Set("Retry-After", strconv.Itoa(int(downloadRetryAfter.Seconds())))
		h.Set("Cache-Control", "no-store")
		http.Error(w, "Too many downloads at once: try again in a minute.", http.StatusTooManyRequests)
		return nil, nil, false
	}
	done = func() { <-s.downloads }
	rc := http.NewResponseController(w)
	if err := rc.SetWriteDeadline(time.Now().Add(s.cfg.DownloadWriteTimeout)); errors.Is(err, http.ErrNotSupported) {
		return w, done, true // no connection to wait on (a recorder, in-process)
	}
	return &deadlineWriter{w: w, rc: rc, timeout: s.cfg.DownloadWriteTimeout}, done, true
}

// deadlineWriter moves the connection's write deadline before each write,
// so that each write, not the whole answer, is bounded.
type deadlineWriter struct {
	w       io.Writer
	rc      *http.ResponseController
	timeout time.Duration
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if err := d.rc.SetWriteDeadline(time.Now().Add(d.timeout)); err != nil {
		return 0, err
	}
	return d.w.Write(p)
}
