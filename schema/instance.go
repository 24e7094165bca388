package schema

import (
	"cuelang.org/go/cue"

	"octosync.dev/octosync/model"
)

// instance evaluates one instance: its own fields first, then each space
// in turn, then the checks that look across spaces.
func (l *loader) instance(name string) {
	iv := l.param("#instance", name)
	prefix := ""
	if l.multi {
		prefix = named("instance", name)
	}
	in := &model.Instance{Name: name}
	b := &builder{l: l, inst: name, prefix: prefix}
	ec := &errContext{l: l, val: iv, n: instanceNode, prefix: prefix, strip: 2, inst: name}
	if err := iv.Validate(cue.Concrete(true)); err != nil {
		b.errs = append(b.errs, ec.add(err)...)
	}
	// CUE does not always report a misspelt field of an instance (when
	// the configuration embeds #Config at its top), so octosync checks.
	ec.audit(l.at(instanceNode, iv), nil, true, nil)
	ec.flush()
	var urlPos, keyPos model.Pos
	in.URL, urlPos = l.value(lookup(iv, "url"))
	in.APIKey, keyPos = l.value(lookup(iv, "apiKey"))
	in.Pos = urlPos
	settings := lookup(iv, "settings")
	each(settings, "authentication", func(key string, v cue.Value) {
		b.add("authentication", "", key, v, plainShape, nil, subject(prefix, named("authentication provider", key)), cuePath("settings", "authentication", key))
	})
	if v := lookup(settings, "smtp"); v.Exists() {
		b.add("smtp", "", "smtp", v, plainShape, nil, subject(prefix, "SMTP configuration"), "settings.smtp")
	}
	if v := lookup(settings, "auditStream"); v.Exists() {
		b.add("auditStream", "", "auditStream", v, plainShape, nil, subject(prefix, "audit log stream"), "settings.auditStream")
	}
	each(iv, "userRoles", func(role string, v cue.Value) {
		b.add("userRoles", "", role, v, plainShape, nil, subject(prefix, named("user role", role)), cuePath("userRoles", role))
	})
	each(iv, "teams", func(team string, v cue.Value) {
		b.team(team, v, subject(prefix, named("team", team)), cuePath("teams", team))
	})
	in.Acks = l.acks(lookup(iv, "acknowledge"))
	if pv := lookup(iv, "prune"); pv.Exists() {
		_ = pv.Decode(&in.Prune)
	}

	spaces, ok := l.stringList(l.param("#spaces", name), "instance's spaces")
	if !ok {
		return
	}
	ic := newInstanceCheck(l, in, b)
	ic.urlPos, ic.keyPos = urlPos, keyPos
	for _, s := range spaces {
		l.space(in, b, ic, s)
	}
	ic.run()
	l.stats.Instances++
	l.stats.Resources += len(b.res)
	if l.keep {
		for _, r := range b.res {
			in.Resources = append(in.Resources, r.Resource)
		}
		l.desired.Instances = append(l.desired.Instances, in)
	}
}

// space evaluates, builds and checks one space, then lets its value go.
func (l *loader) space(in *model.Instance, ib *builder, ic *instanceCheck, name string) {
	sv := l.param("#space", in.Name, name)
	b := &builder{l: l, inst: in.Name, space: name, prefix: subject(ib.prefix, named("space", name))}
	ec := &errContext{l: l, val: sv, n: spaceNode, prefix: b.prefix, strip: 2}
	if err := sv.Validate(cue.Concrete(true)); err != nil {
		b.errs = ec.add(err)
		ec.audit(l.at(spaceNode, sv), nil, true, nil)
	} else {
		ec.audit(l.at(spaceNode, sv), nil, false, nil)
	}
	ec.flush()
	sp := &model.Space{Name: name}
	own := ib.add("spaces", "", name, sv, spaceShape, nil, b.prefix, "")
	sp.Pos = own.Pos
	own.bad = b.ownErrors()
	b.spaceContents(sv)
	if pv := lookup(sv, "prune"); pv.Exists() {
		_ = pv.Decode(&sp.Prune)
	}
	sp.Acks = l.acks(lookup(sv, "acknowledge"))
	sc := newSpaceCheck(l, ic, own, b, sp.Acks)
	sc.run()
	ic.addSpace(sc)
	l.stats.Spaces++
	l.stats.Resources += len(b.res)
	if l.keep {
		for _, r := range b.res {
			sp.Resources = append(sp.Resources, r.Resource)
		}
		in.Spaces = append(in.Spaces, sp)
	}
}

// ownErrors reports whether CUE found errors in a space's own fields
// rather than in the resources it holds.
func (b *builder) ownErrors() bool {
	kinds := set(spaceKeys()...)
	for _, e := range b.errs {
		first, _, _ := cutPath(e)
		if !kinds[first] {
			return true
		}
	}
	return false
}

// value reads an instance's url or apiKey: a literal or a reference, and
// where it is written.
func (l *loader) value(v cue.Value) (model.Value, model.Pos) {
	d := &decoder{l: l}
	x, p, _ := d.value(v, "", nil)
	switch x := x.(type) {
	case string:
		return model.Value{Literal: x}, p
	case model.SecretRef:
		return model.Value{Ref: x}, p
	}
	return model.Value{}, p
}

// acks reads a list of acknowledgements.
func (l *loader) acks(v cue.Value) []model.Ack {
	if !v.Exists() {
		return nil
	}
	var acks []model.Ack
	for it := elements(v); it.Next(); {
		var a model.Ack
		if it.Value().Decode(&a) != nil {
			continue
		}
		a.Pos = l.declPos(it.Value(), model.Pos{})
		acks = append(acks, a)
	}
	return acks
}
