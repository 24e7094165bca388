package reconcile

import (
	"testing"

	"octosync.dev/octosync/model"
)

func TestCompareFindsChangedSpaces(t *testing.T) {
	mk := func(desc string) *model.Desired {
		r := func(space, kind, name string, doc model.Doc) *model.Resource {
			return &model.Resource{Key: model.Key{Instance: "hub", Space: space, Kind: kind, Name: name}, Doc: doc, Pos: model.Pos{File: desc}}
		}
		return &model.Desired{Instances: []*model.Instance{{
			Name: "hub",
			Spaces: []*model.Space{
				{Name: "a", Resources: []*model.Resource{r("a", "environments", "Dev", model.Doc{"Name": "Dev", "Description": desc})}},
				{Name: "b", Resources: []*model.Resource{r("b", "environments", "Dev", model.Doc{"Name": "Dev"})}},
			},
		}}}
	}
	base, head := mk("one"), mk("two")
	got := Compare(base, head)
	ci := got.Instances["hub"]
	if ci == nil || ci.Settings || len(ci.Spaces) != 1 || ci.Spaces[0] != "a" {
		t.Fatalf("Compare = %+v", ci)
	}
	if same := Compare(base, mk("one")); len(same.Instances) != 0 {
		t.Errorf("identical configurations differ: %+v", same.Instances["hub"])
	}
	head.Instances[0].Spaces = head.Instances[0].Spaces[:1]
	if ci := Compare(base, head).Instances["hub"]; len(ci.Spaces) != 2 {
		t.Errorf("a removed space is not a change: %+v", ci)
	}
}
