package flows

import (
	"fmt"
	"html"
	"slices"
	"strconv"
	"strings"

	"dinsosbot/flows/i18n"
	"dinsosbot/flows/nik"
	"dinsosbot/flows/pmks"
	"dinsosbot/store"
)

// saveCase stores the report: a follow-up note on the duplicate case, a fixed
// report resubmitted, or a new case with a fresh code.
func (a *App) saveCase(c *Ctx) error {
	if c.Answers.Text("nik_dup") == dupFollowUp {
		return a.saveFollowUp(c)
	}
	k := a.caseFromAnswers(c)
	if id, err := strconv.ParseInt(c.Vars[varFix], 10, 64); err == nil {
		return a.resubmitCase(c, id, k)
	}
	year := c.Tx.Now().In(a.cfg.Location).Year()
	code, err := c.Tx.NextCaseCode(a.cfg.CaseCodePrefix, year)
	if err != nil {
		return err
	}
	k.Code = code
	id, err := c.Tx.InsertCase(k)
	if err != nil {
		return err
	}
	k.ID, k.Status, k.CreatedAt = id, store.CaseNew, c.Tx.Now()
	if err := a.addPhotos(c, id); err != nil {
		return err
	}
	if err := c.Tx.Audit(c.User.ID, "case_create", code); err != nil {
		return err
	}
	if _, err := c.Send(store.Message{Text: c.T("case.saved", "code", code), RemoveReply: true}); err != nil {
		return err
	}
	coords, err := a.caseReviewers(c, k)
	if err != nil {
		return err
	}
	for _, u := range coords {
		if err := a.sendCaseNotice(c, k, u, "case.notice.new", nil); err != nil {
			return err
		}
	}
	return nil
}

func (a *App) addPhotos(c *Ctx, id int64) error {
	for _, p := range c.Answers["photos"].Photos {
		if err := c.Tx.AddCasePhoto(id, store.CasePhoto{FileID: p.FileID, FileUniqueID: p.FileUniqueID,
			Width: p.Width, Height: p.Height, Size: p.Size}); err != nil {
			return err
		}
	}
	return nil
}

// caseFromAnswers builds the case record from the form.
func (a *App) caseFromAnswers(c *Ctx) store.Case {
	ans := c.Answers
	kec, kel := caseArea(c)
	k := store.Case{ReporterID: c.User.ID, Category: ans.Text("category"), FullName: ans.Text("name"),
		Gender: ans.Text("gender"), Address: ans.Text("address"), Kecamatan: kec, Kelurahan: kel,
		Description: ans.Text("description"), Needs: ans["needs"].List, Urgency: ans.Text("urgency")}
	if n := a.answeredNIK(c); !n.IsZero() {
		k.NIK = n.String()
	} else {
		k.NoNIKReason = ans.Text("no_nik")
	}
	if age, ok := strings.CutPrefix(ans.Text("birth"), agePrefix); ok {
		k.Age, _ = strconv.Atoi(age)
	} else {
		k.BirthDate = ans.Text("birth")
	}
	if bp := ans["birth_place"]; !bp.Skipped {
		k.BirthPlace = bp.Text
	}
	k.NoKK = answeredKK(c)
	k.RT, k.RW = answeredRTRW(c)
	if loc := ans["location"]; !loc.Skipped && (loc.Lat != 0 || loc.Lon != 0) {
		k.HasLocation, k.Latitude, k.Longitude = true, loc.Lat, loc.Lon
	}
	return k
}

// caseAnswers is the inverse of caseFromAnswers: the form prefilled from a
// stored case, to fix it.
func (a *App) caseAnswers(c *Ctx, k store.Case) (Answers, map[string]string, error) {
	vars := map[string]string{"v": "1", varFix: strconv.FormatInt(k.ID, 10)}
	cat, _ := pmks.ByCode(k.Category)
	ans := Answers{"group": {Text: cat.Group}, "category": {Text: k.Category}, "name": {Text: k.FullName},
		"gender": {Text: k.Gender}, "address": {Text: k.Address}, "kecamatan": {Text: k.Kecamatan},
		"kelurahan": {Text: k.Kelurahan}, "area": {Text: areaOther}, "description": {Text: k.Description},
		"needs": {List: k.Needs}, "urgency": {Text: k.Urgency}, "location": {Skipped: true}}
	if k.NIK != "" {
		vars[varNIK] = k.NIK
		ans["nik"] = Value{Text: nik.Mask(k.NIK)}
	} else {
		ans["nik"], ans["no_nik"] = Value{Text: "none"}, Value{Text: k.NoNIKReason}
	}
	if k.BirthDate != "" {
		ans["birth"] = Value{Text: k.BirthDate}
	} else {
		ans["birth"] = Value{Text: agePrefix + strconv.Itoa(k.Age)}
	}
	if k.HasLocation {
		ans["location"] = Value{Lat: k.Latitude, Lon: k.Longitude}
	}
	ans["birth_place"] = Value{Text: k.BirthPlace, Skipped: k.BirthPlace == ""}
	ans["rt_rw"] = Value{Skipped: true}
	if k.RT != "" && k.RW != "" {
		ans["rt_rw"] = Value{Text: k.RT + "-" + k.RW}
	}
	ans["no_kk"] = Value{Skipped: true}
	if k.NoKK != "" {
		vars[varKK] = k.NoKK
		ans["no_kk"] = Value{Text: nik.Mask(k.NoKK)}
	}
	photos, err := c.Tx.CasePhotos(k.ID)
	if err != nil {
		return nil, nil, err
	}
	var ph Value
	for _, p := range photos {
		ph.Photos = append(ph.Photos, Photo{FileID: p.FileID, FileUniqueID: p.FileUniqueID, Width: p.Width,
			Height: p.Height, Size: p.Size})
	}
	ans["photos"] = ph
	return ans, vars, nil
}

// resubmitCase stores a fixed report and sends it back to the coordinator
// who asked for the fix.
func (a *App) resubmitCase(c *Ctx, id int64, k store.Case) error {
	old, ok, err := c.Tx.GetCase(id)
	if err != nil {
		return err
	}
	if !ok || old.ReporterID != c.User.ID {
		return c.Reply(c.T("case.fix.gone"))
	}
	k.ID = id
	before, err := storedSnap(c, old)
	if err != nil {
		return err
	}
	changed := a.caseChanges(before, a.answeredSnap(c))
	marked, err := c.Tx.CaseFixFields(id)
	if err != nil {
		return err
	}
	done, err := c.Tx.ResubmitCase(k, c.User.ID, "", changed)
	if err != nil {
		return err
	}
	if !done {
		return c.Reply(c.T("case.fix.gone"))
	}
	if err := c.Tx.DeleteCasePhotos(id); err != nil {
		return err
	}
	if err := a.addPhotos(c, id); err != nil {
		return err
	}
	k, _, err = c.Tx.GetCase(id)
	if err != nil {
		return err
	}
	if err := c.Reply(c.T("case.fix.sent", "code", k.Code)); err != nil {
		return err
	}
	reviewers, err := a.caseReviewers(c, k)
	if err != nil {
		return err
	}
	if rev, ok, err := c.Tx.GetUser(old.ReviewerID); err != nil {
		return err
	} else if ok {
		may, err := a.mayDecide(c.Tx, rev, k)
		if err != nil {
			return err
		}
		if may {
			reviewers = []store.User{rev}
		}
	}
	report := func(lang i18n.Lang) string { return a.fixReport(lang, marked, changed) }
	for _, u := range reviewers {
		if err := a.sendCaseNotice(c, k, u, "case.notice.resubmitted", report); err != nil {
			return err
		}
	}
	return nil
}

// saveFollowUp adds the form's note to the case with the same NIK.
func (a *App) saveFollowUp(c *Ctx) error {
	id, err := strconv.ParseInt(c.Vars[varDup], 10, 64)
	if err != nil {
		return fmt.Errorf("follow-up without a duplicate: %q", c.Vars[varDup])
	}
	k, ok, err := c.Tx.GetCase(id)
	if err != nil {
		return err
	}
	if !ok {
		return c.Reply(c.T("case.fix.gone"))
	}
	// Checked again: the worker's area or the case's may have changed while
	// typing, and a note is never appended to a case outside their area.
	if a.dupViewOf(c.User, k) == dupHidden {
		return a.deny(c, "case_note "+k.Code)
	}
	note := c.Answers.Text("followup")
	if err := c.Tx.AddCaseNote(id, c.User.ID, note); err != nil {
		return err
	}
	if err := c.Reply(c.T("case.followup.saved", "code", k.Code)); err != nil {
		return err
	}
	reviewers, err := a.caseReviewers(c, k)
	if err != nil {
		return err
	}
	if rep, ok, err := c.Tx.GetUser(k.ReporterID); err != nil {
		return err
	} else if ok && rep.ID != c.User.ID {
		reviewers = append(reviewers, rep)
	}
	for _, u := range reviewers {
		lang := a.lang(u)
		if _, err := c.Send(store.Message{ChatID: u.ID, Priority: store.PriorityNotice,
			Text: i18n.T(lang, "case.notice.note", "code", k.Code, "who", html.EscapeString(displayName(c.User)),
				"note", html.EscapeString(note))}); err != nil {
			return err
		}
	}
	return nil
}

// caseReviewers are who is told of a new case: the coordinators covering its
// kecamatan, or the admins when no coordinator does; never its reporter (a
// coordinator does not decide their own report), unless the reporter is the
// only admin and no coordinator covers the kecamatan: the case would reach
// no one otherwise (see mayDecide).
func (a *App) caseReviewers(c *Ctx, k store.Case) ([]store.User, error) {
	notReporter := func(u store.User) bool { return u.ID == k.ReporterID }
	coords, err := c.Tx.CaseCoordinators(k.Kecamatan)
	if err != nil {
		return nil, err
	}
	if coords = slices.DeleteFunc(coords, notReporter); len(coords) > 0 {
		return coords, nil
	}
	admins, err := c.Tx.UsersWithRole(store.RoleAdmin)
	if err != nil {
		return nil, err
	}
	if others := slices.DeleteFunc(slices.Clone(admins), notReporter); len(others) > 0 {
		return others, nil
	}
	return admins, nil
}

// canReview: an admin, or a coordinator covering the case's kecamatan. It is
// the right to see the case as a reviewer does; deciding it also takes
// mayDecide.
func (a *App) canReview(u store.User, k store.Case) bool {
	if isAdmin(u) {
		return true
	}
	if !isStaff(u) || u.Role != store.RoleCoordinator {
		return false
	}
	for _, kec := range u.Covers {
		if kec == "*" || kec == k.Kecamatan {
			return true
		}
	}
	return false
}

// mayDecide reports whether u may move case k (verify, reject, send back for
// fixing, follow up, close): a reviewer of k who did not report it
// (separation of duties). An admin's own report is decided by another admin
// or a coordinator of the area; only an admin with no other active admin may
// decide their own report, since an office with one admin would otherwise
// hold it for ever wherever no coordinator covers the kecamatan.
func (a *App) mayDecide(tx *store.Tx, u store.User, k store.Case) (bool, error) {
	if !a.canReview(u, k) {
		return false, nil
	}
	if k.ReporterID != u.ID {
		return true, nil
	}
	if !isAdmin(u) {
		return false, nil
	}
	alone, err := a.onlyAdmin(tx, u)
	if err != nil {
		return false, fmt.Errorf("may %d decide case %s: %w", u.ID, k.Code, err)
	}
	return alone, nil
}

// onlyAdmin reports whether no active admin other than u can be reached.
func (a *App) onlyAdmin(tx *store.Tx, u store.User) (bool, error) {
	admins, err := tx.UsersWithRole(store.RoleAdmin)
	if err != nil {
		return false, err
	}
	for _, o := range admins {
		if o.ID != u.ID {
			return false, nil
		}
	}
	return true, nil
}
