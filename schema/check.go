package schema

import "octosync.dev/octosync/model"

type instanceCheck struct{}

func newInstanceCheck(l *loader, in *model.Instance, b *builder) *instanceCheck {
	return &instanceCheck{}
}
func (ic *instanceCheck) run()                    {}
func (ic *instanceCheck) addSpace(sc *spaceCheck) {}

type spaceCheck struct{}

func newSpaceCheck(l *loader, ic *instanceCheck, own *res, b *builder) *spaceCheck {
	return &spaceCheck{}
}
func (sc *spaceCheck) run() {}
