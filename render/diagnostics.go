package render

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"octosync.dev/octosync/model"
)

// DiagnosticsFormatVersion is the version of the JSON DiagnosticsJSON
// writes. It changes only when a field changes meaning or goes away.
const DiagnosticsFormatVersion = "1"

// DiagnosticsText writes one line per diagnostic, `file:line:col: subject:
// message`, warnings marked, then a count of errors and warnings.
func DiagnosticsText(w io.Writer, ds model.Diagnostics) error {
	ew := &errWriter{w: w}
	errs, warns := count(ds)
	for _, d := range ds {
		ew.printf("%s\n", d.String())
	}
	if errs+warns > 0 {
		ew.printf("%s, %s\n", plural(errs, "error"), plural(warns, "warning"))
	}
	return ew.err
}

func count(ds model.Diagnostics) (errs, warns int) {
	for _, d := range ds {
		if d.Severity == model.Error {
			errs++
		} else {
			warns++
		}
	}
	return errs, warns
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// jsonDiagnostics is the JSON form of a list of diagnostics.
type jsonDiagnostics struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	Errors        int              `json:"errors"`
	Warnings      int              `json:"warnings"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
}

type jsonDiagnostic struct {
	Severity string `json:"severity"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Col      int    `json:"col,omitempty"`
	Subject  string `json:"subject,omitempty"`
	Message  string `json:"message"`
}

// DiagnosticsJSON writes the diagnostics as one JSON document with a
// format_version, whether the configuration is valid (no errors) and the
// counts.
func DiagnosticsJSON(w io.Writer, ds model.Diagnostics) error {
	errs, warns := count(ds)
	out := jsonDiagnostics{FormatVersion: DiagnosticsFormatVersion, Valid: errs == 0, Errors: errs, Warnings: warns, Diagnostics: []jsonDiagnostic{}}
	for _, d := range ds {
		out.Diagnostics = append(out.Diagnostics, jsonDiagnostic{
			Severity: d.Severity.String(), File: d.Pos.File, Line: d.Pos.Line, Col: d.Pos.Col, Subject: d.Subject, Message: d.Message,
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// DiagnosticsGitHub writes the diagnostics as GitHub Actions workflow
// commands, `::error file=…,line=…,col=…,title=octosync::message`, which
// GitHub shows as annotations on the pull request's files. File paths must
// be relative to the repository's root.
func DiagnosticsGitHub(w io.Writer, ds model.Diagnostics) error {
	ew := &errWriter{w: w}
	for _, d := range ds {
		var props []string
		if d.Pos.File != "" {
			props = append(props, "file="+escapeProperty(d.Pos.File))
			if d.Pos.Line > 0 {
				props = append(props, "line="+strconv.Itoa(d.Pos.Line))
			}
			if d.Pos.Col > 0 {
				props = append(props, "col="+strconv.Itoa(d.Pos.Col))
			}
		}
		props = append(props, "title=octosync")
		msg := d.Message
		if d.Subject != "" {
			msg = d.Subject + ": " + msg
		}
		ew.printf("::%s %s::%s\n", d.Severity, strings.Join(props, ","), escapeData(msg))
	}
	return ew.err
}

// escapeData escapes a workflow command's message.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
