package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// admin serves the emulator's own routes under /_emulator. They are not
// part of the Octopus API and need no API key: the emulator is a test
// double meant for loopback.
//
//	GET    /_emulator/health     {"Status": "OK", "Instances": [...]}
//	GET    /_emulator/requests   {"Total": N, "Requests": {"GET /api/{spaceId}/environments": 3, ...}}
//	DELETE /_emulator/requests   reset the counters
//	GET    /_emulator/faults     {"Faults": ["500:0.1", ...]}
//	POST   /_emulator/faults     add a fault: {"Spec": "503:#1:GET@/api/**"}
//	DELETE /_emulator/faults     remove every fault
func (s *Server) admin(w http.ResponseWriter, r *http.Request, p string) {
	reply := func(status int, v any) {
		b, _ := json.Marshal(v)
		writeJSON(w, status, b)
	}
	switch strings.TrimSuffix(p, "/") {
	case "/health":
		if r.Method != http.MethodGet {
			writeError(w, methodNotAllowed(r.Method, []string{http.MethodGet}))
			return
		}
		names := make([]string, 0, len(s.names))
		for _, n := range s.names {
			names = append(names, s.instances[n].label())
		}
		reply(http.StatusOK, map[string]any{"Status": "OK", "Instances": names})
	case "/requests":
		switch r.Method {
		case http.MethodGet:
			total, byKey := s.counters.snapshot()
			reply(http.StatusOK, map[string]any{"Total": total, "Requests": byKey})
		case http.MethodDelete:
			s.counters.reset()
			reply(http.StatusOK, map[string]any{"Total": 0, "Requests": map[string]int{}})
		default:
			writeError(w, methodNotAllowed(r.Method, []string{http.MethodGet, http.MethodDelete}))
		}
	case "/faults":
		switch r.Method {
		case http.MethodGet:
			reply(http.StatusOK, map[string]any{"Faults": s.faults.specs()})
		case http.MethodPost:
			b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<16))
			if err != nil {
				writeError(w, badRequestf("The request body could not be read: %v", err))
				return
			}
			var req struct{ Spec string }
			if err := json.Unmarshal(b, &req); err != nil || req.Spec == "" {
				writeError(w, badRequest(`The body must be {"Spec": "<fault>"}.`))
				return
			}
			f, err := ParseFault(req.Spec)
			if err != nil {
				writeError(w, badRequest(err.Error()))
				return
			}
			s.faults.add(f)
			reply(http.StatusCreated, map[string]any{"Faults": s.faults.specs()})
		case http.MethodDelete:
			s.faults.clear()
			reply(http.StatusOK, map[string]any{"Faults": []string{}})
		default:
			writeError(w, methodNotAllowed(r.Method, []string{http.MethodGet, http.MethodPost, http.MethodDelete}))
		}
	default:
		writeError(w, routeNotFound())
	}
}
