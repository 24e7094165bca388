package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
	"octosync.dev/octosync/reconcile"
)

// retriesEnv names the environment variable that sets how many times a
// failed idempotent request is retried (0: never; default 4).
const retriesEnv = "OCTOSYNC_RETRIES"

// fingerprintKeyEnv names the environment variable holding the key for
// secret fingerprints (see README, "Secrets").
const fingerprintKeyEnv = "OCTOSYNC_FINGERPRINT_KEY"

// newSecrets returns the secret resolver for a configuration rooted at dir.
func newSecrets(s *streams, dir string) *reconcile.Secrets {
	return &reconcile.Secrets{
		Getenv:  s.getenv,
		BaseDir: dir,
		Key:     []byte(s.getenv(fingerprintKeyEnv)),
	}
}

// connect returns a client for an instance, its URL and key resolved from
// their references. Errors name the instance and the reference, never a
// key.
func connect(name string, url, key model.Value, secrets *reconcile.Secrets, parallelism int) (*octopus.Client, error) {
	retries := 0 // the client's default
	if v := secrets.Getenv(retriesEnv); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, fmt.Errorf("%s=%q: not a number", retriesEnv, v)
		}
		retries = cmp.Or(n, -1)
	}
	u, err := resolveValue(url, secrets)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	k, err := resolveValue(key, secrets)
	if err != nil {
		return nil, fmt.Errorf("apiKey: %w", err)
	}
	return octopus.New(octopus.Options{
		Instance:    name,
		URL:         u,
		APIKey:      k,
		Concurrency: parallelism,
		Retries:     retries,
		UserAgent:   "octosync/" + cmp.Or(version, "devel"),
	})
}

func resolveValue(v model.Value, secrets *reconcile.Secrets) (string, error) {
	if !v.IsRef() {
		if v.Literal == "" {
			return "", fmt.Errorf("not set")
		}
		return v.Literal, nil
	}
	return secrets.Resolve(v.Ref)
}

// selection narrows a run to one instance and one space.
type selection struct {
	instance, space string
}

func (sel *selection) register(fs *flag.FlagSet) {
	fs.StringVar(&sel.instance, "instance", "", "only this instance")
	fs.StringVar(&sel.space, "space", "", "only this space")
}

// apply returns the instances the selection keeps, with only the selected
// space; an unknown name is an error that lists the known ones.
func (sel selection) apply(d *model.Desired) ([]*model.Instance, error) {
	var out []*model.Instance
	for _, in := range d.Instances {
		if sel.instance != "" && in.Name != sel.instance {
			continue
		}
		if sel.space == "" {
			out = append(out, in)
			continue
		}
		sp := in.Space(sel.space)
		if sp == nil {
			continue
		}
		narrowed := *in
		narrowed.Resources = nil
		for _, r := range in.Resources {
			if r.Key.Kind == "spaces" && r.Key.Name == sel.space {
				narrowed.Resources = append(narrowed.Resources, r)
			}
		}
		narrowed.Spaces = []*model.Space{sp}
		narrowed.Prune = nil
		out = append(out, &narrowed)
	}
	if len(out) == 0 {
		var names []string
		for _, in := range d.Instances {
			names = append(names, in.Name)
		}
		switch {
		case sel.instance != "" && !slices.Contains(names, sel.instance):
			return nil, fmt.Errorf("no instance %q in the configuration (it declares: %s)", sel.instance, strings.Join(names, ", "))
		case sel.space != "":
			return nil, fmt.Errorf("no space %q in the selected instances", sel.space)
		}
	}
	return out, nil
}

// planOptions say how plans are built.
type planOptions struct {
	parallelism int
	secrets     *reconcile.Secrets
	progress    *progress
	commit      string
	dirty       bool
}

// buildPlan reads every selected instance and plans it. Instances are read
// concurrently; one that cannot be read is an error in its part of the plan
// and does not hide the others.
func buildPlan(ctx context.Context, instances []*model.Instance, o planOptions) *reconcile.Plan {
	p := &reconcile.Plan{FormatVersion: reconcile.FormatVersion, Commit: o.commit, Dirty: o.dirty, Instances: make([]*reconcile.InstancePlan, len(instances))}
	var wg sync.WaitGroup
	for i, in := range instances {
		wg.Go(func() {
			p.Instances[i] = planInstance(ctx, in, o)
		})
	}
	wg.Wait()
	return p
}

func planInstance(ctx context.Context, in *model.Instance, o planOptions) *reconcile.InstancePlan {
	failed := func(err error) *reconcile.InstancePlan {
		return &reconcile.InstancePlan{Name: in.Name, URL: in.URL, APIKey: in.APIKey, Errors: []string{err.Error()}}
	}
	client, err := connect(in.Name, in.URL, in.APIKey, o.secrets, o.parallelism)
	if err != nil {
		return failed(err)
	}
	names := make([]string, len(in.Spaces))
	for i, s := range in.Spaces {
		names[i] = s.Name
	}
	li, err := reconcile.Fetch(ctx, client, in.Name, reconcile.FetchOptions{
		Spaces:      names,
		Parallelism: o.parallelism,
		Progress:    o.progress.spaces(in.Name),
	})
	if err != nil {
		return failed(err)
	}
	return reconcile.Build(in, li, reconcile.PlanOptions{Secrets: o.secrets})
}

// progress reports spaces read on stderr when a run takes long and stderr
// is a terminal; otherwise it says nothing.
type progress struct {
	mu    sync.Mutex
	s     *streams
	tty   bool
	start time.Time
	shown bool
}

// progressAfter is how long a run goes quietly before it reports progress.
const progressAfter = 2 * time.Second

func newProgress(s *streams) *progress {
	f, ok := s.err.(*os.File)
	if !ok {
		return &progress{s: s}
	}
	fi, err := f.Stat()
	return &progress{s: s, tty: err == nil && fi.Mode()&os.ModeCharDevice != 0, start: time.Now()}
}

func (p *progress) spaces(instance string) func(done, total int) {
	if p == nil || !p.tty {
		return nil
	}
	return func(done, total int) {
		p.mu.Lock()
		defer p.mu.Unlock()
		if !p.shown && time.Since(p.start) < progressAfter {
			return
		}
		p.shown = true
		fmt.Fprintf(p.s.err, "\rinstance %q: %d/%d spaces read", instance, done, total)
		if done == total {
			fmt.Fprint(p.s.err, "\r\033[K")
		}
	}
}
