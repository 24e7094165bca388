package emulator

// checkRefs returns an error line for each id in a document's list field
// that names no document of kind in the document's space. A kind that is
// not served yet (tenants, before the project family is added) is not
// checked.
func checkRefs(c *ctx, doc Doc, field, kind string) []string {
	if c.inst.kinds[kind] == nil {
		return nil
	}
	var errs []string
	space := asString(doc["SpaceId"])
	for _, id := range stringList(doc[field]) {
		if d := c.get(kind, id); d == nil || asString(d["SpaceId"]) != space {
			errs = append(errs, "The "+c.def(kind).Label+" '"+id+"' in "+field+" was not found in this space.")
		}
	}
	return errs
}

// checkAllRefs runs checkRefs over several fields and answers 400 with
// every problem found.
func checkAllRefs(c *ctx, doc Doc, fieldKinds ...string) error {
	var errs []string
	for i := 0; i+1 < len(fieldKinds); i += 2 {
		errs = append(errs, checkRefs(c, doc, fieldKinds[i], fieldKinds[i+1])...)
	}
	if len(errs) > 0 {
		return badRequest(errs...)
	}
	return nil
}

// tenantedModes are the values of TenantedDeploymentParticipation.
var tenantedModes = []string{"Untenanted", "TenantedOrUntenanted", "Tenanted"}
