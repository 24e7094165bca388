package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/reconcile"
	"octosync.dev/octosync/render"
)

var compareCmd = &command{
	name:    "compare",
	summary: "compare two live instances or spaces, by name, not id",
	usage:   "A B [DIR] [--output text|markdown|json]",
	doc: `Compare reads two live instances, or two spaces, and reports how they
differ, through the same model plan uses: names, not ids, so a project in
the test instance compares with the project of the same name in
production, whatever their ids. It lists what B lacks, what only B has,
and what both have but differently, field by field. Secrets compare by
whether they are set: Octopus never returns their values.

A and B are INSTANCE or INSTANCE/SPACE, instances named in the
configuration in DIR (default: the current directory), which gives their
URLs and API keys. Comparing two instances compares their instance-level
resources and each pair of spaces with the same name.

Flags:
  --output FORMAT   text (default), markdown, or json
  --repo, --ref, --path   read the configuration from git, as for plan

Examples:
  octosync compare test prod
  octosync compare hub/payments hub/identity --output markdown

Exit status: 0 the same, 2 different, 1 an error.`,
}

func init() { compareCmd.run = runCompare }

func runCompare(ctx context.Context, s *streams, args []string) int {
	fs := newFlags(compareCmd, s)
	var src sourceFlags
	src.register(fs)
	output := fs.String("output", "text", "")
	parallelism := fs.Int("parallelism", 8, "")
	pos, err := parseFlags(fs, s, args)
	if err != nil {
		return flagExit(err)
	}
	if !oneOf(s, "compare", "output", *output, "text", "markdown", "json") {
		return exitError
	}
	if len(pos) < 2 || len(pos) > 3 {
		return s.errf("compare: give two instances or spaces, A and B (see 'octosync help compare')")
	}
	cfg, err := src.load(ctx, s, pos[2:])
	if err != nil {
		return s.errf("compare: %v", err)
	}
	if cfg.desired == nil {
		printDiagnostics(s, cfg.diags)
		return exitError
	}
	secrets := newSecrets(s, cfg.dir)
	sides := [2]side{}
	for i, arg := range pos[:2] {
		if sides[i], err = parseSide(cfg.desired, arg); err != nil {
			return s.errf("compare: %v", err)
		}
	}
	if (sides[0].space == "") != (sides[1].space == "") {
		return s.errf("compare: compare an instance with an instance, or a space with a space")
	}
	var wg sync.WaitGroup
	var errs [2]error
	for i := range sides {
		wg.Go(func() { errs[i] = sides[i].read(ctx, secrets, *parallelism) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return s.errf("compare: %v", err)
		}
	}
	c := compareSides(sides[0], sides[1])
	switch *output {
	case "json":
		err = render.CompareJSON(s.out, c)
	case "markdown":
		err = render.CompareMarkdown(s.out, c)
	default:
		err = render.CompareText(s.out, c)
	}
	if err != nil {
		return s.errf("compare: %v", err)
	}
	if c.Same() {
		return exitOK
	}
	return exitChanges
}

// side is one side of a comparison: an instance, or one of its spaces.
type side struct {
	arg      string
	instance *model.Instance
	space    string
	live     *model.Instance // exported live state
}

func parseSide(d *model.Desired, arg string) (side, error) {
	name, space, _ := strings.Cut(arg, "/")
	in := d.Instance(name)
	if in == nil {
		var names []string
		for _, in := range d.Instances {
			names = append(names, in.Name)
		}
		return side{}, fmt.Errorf("no instance %q in the configuration (it declares: %s)", name, strings.Join(names, ", "))
	}
	return side{arg: arg, instance: in, space: space}, nil
}

// read fetches the side's instance (or space) and exports it.
func (sd *side) read(ctx context.Context, secrets *reconcile.Secrets, parallelism int) error {
	client, err := connect(sd.instance.Name, sd.instance.URL, sd.instance.APIKey, secrets, parallelism)
	if err != nil {
		return err
	}
	opts := reconcile.FetchOptions{Parallelism: parallelism, Settings: reconcile.SettingsOf(sd.instance)}
	if sd.space != "" {
		opts.Spaces = []string{sd.space}
	}
	li, err := reconcile.Fetch(ctx, client, sd.instance.Name, opts)
	if err != nil {
		return err
	}
	// A comparison with a part left unread would report differences that
	// are not there: every kind must have been read.
	if err := unread(fmt.Sprintf("instance %q", sd.instance.Name), li.Missing); err != nil {
		return err
	}
	if sd.space != "" && li.Space(sd.space) == nil {
		return fmt.Errorf("instance %q has no space %q", sd.instance.Name, sd.space)
	}
	for _, ls := range li.Spaces {
		if err := unread(fmt.Sprintf("instance %q: space %q", sd.instance.Name, ls.Name), ls.Missing); err != nil {
			return err
		}
	}
	sd.live = reconcile.Export(li, reconcile.ExportOptions{})
	return nil
}

// unread reports the kinds that could not be read, if any.
func unread(where string, missing map[string]error) error {
	var errs []string
	for _, k := range slices.Sorted(maps.Keys(missing)) {
		errs = append(errs, fmt.Sprintf("could not read %s: %v", k, missing[k]))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s: %s", where, strings.Join(errs, "; "))
}

func compareSides(a, b side) *render.Comparison {
	c := &render.Comparison{FormatVersion: "1.0", A: a.arg, B: b.arg}
	if a.space != "" {
		c.Scopes = append(c.Scopes, render.ComparedScope{
			Name:       fmt.Sprintf("space %q with space %q", a.space, b.space),
			Comparison: reconcile.CompareResources(spaceResources(a.live, a.space), spaceResources(b.live, b.space)),
		})
		return c
	}
	c.Scopes = append(c.Scopes, render.ComparedScope{
		Name:       "instance-level resources",
		Comparison: reconcile.CompareResources(withoutSpaces(a.live.Resources), withoutSpaces(b.live.Resources)),
	})
	names := map[string]bool{}
	var order []string
	for _, in := range []*model.Instance{a.live, b.live} {
		for _, sp := range in.Spaces {
			if !names[sp.Name] {
				names[sp.Name] = true
				order = append(order, sp.Name)
			}
		}
	}
	for _, name := range order {
		sc := render.ComparedScope{Name: fmt.Sprintf("space %q", name)}
		switch as, bs := a.live.Space(name), b.live.Space(name); {
		case as == nil:
			sc.Comparison = &reconcile.Comparison{OnlyB: []model.Key{{Kind: "spaces", Name: name}}}
		case bs == nil:
			sc.Comparison = &reconcile.Comparison{OnlyA: []model.Key{{Kind: "spaces", Name: name}}}
		default:
			sc.Comparison = reconcile.CompareResources(as.Resources, bs.Resources)
		}
		c.Scopes = append(c.Scopes, sc)
	}
	return c
}

func spaceResources(in *model.Instance, space string) []*model.Resource {
	for _, sp := range in.Spaces {
		if strings.EqualFold(sp.Name, space) {
			return sp.Resources
		}
	}
	return nil
}

// withoutSpaces leaves out the space documents themselves: spaces are
// compared by their contents.
func withoutSpaces(rs []*model.Resource) []*model.Resource {
	var out []*model.Resource
	for _, r := range rs {
		if r.Key.Kind != "spaces" {
			out = append(out, r)
		}
	}
	return out
}
