package octopus

import (
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// idempotent reports whether sending a request with method twice has the
// same effect as sending it once.
func idempotent(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// retryStatus reports whether an answer with status is worth retrying: 429
// for every method (the server refused the request without carrying it
// out), and timeouts and server errors for idempotent methods only.
func retryStatus(method string, status int) bool {
	switch status {
	case http.StatusTooManyRequests:
		return true
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return idempotent(method)
	}
	return false
}

// ambiguousStatus reports whether an answer with status leaves open whether
// the server carried the request out.
func ambiguousStatus(status int) bool {
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryTransport reports whether a request that got no answer, failing
// with err, is worth retrying: idempotent requests unless the failure is
// one a retry cannot mend (an untrusted certificate, an unknown host name),
// others only when the request provably was not sent.
func retryTransport(method string, err error) bool {
	if _, ok := errors.AsType[*tls.CertificateVerificationError](err); ok {
		return false
	}
	if de, ok := errors.AsType[*net.DNSError](err); ok && de.IsNotFound {
		return false
	}
	return idempotent(method) || notSent(err)
}

// notSent reports whether err shows that the request never left: the
// connection could not be made.
func notSent(err error) bool {
	oe, ok := errors.AsType[*net.OpError](err)
	return ok && oe.Op == "dial"
}

// retryAfter reads a Retry-After header: a number of seconds or an HTTP
// date. It reports false when there is none or it cannot be read.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, 1<<31)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// backoffFor returns the wait before retry number n (from 1): Backoff
// doubled n-1 times, capped at MaxRetryWait, then jittered down by up to
// half so that clients failing together do not retry together.
func (c *Client) backoffFor(n int) time.Duration {
	d := c.maxWait
	if n <= 32 && c.backoff < c.maxWait>>(n-1) {
		d = c.backoff << (n - 1)
	}
	if d <= 0 {
		return 0
	}
	half := d / 2
	return half + rand.N(d-half+1)
}
