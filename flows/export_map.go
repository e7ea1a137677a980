package flows

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"math"
	"strconv"
	"strings"

	"dinsosbot/flows/i18n"
	"dinsosbot/flows/pmks"
	"dinsosbot/store"
)

// The map of /ekspor: the exported cases that have a location, as GeoJSON
// (RFC 7946, for QGIS) and KML 2.2 (for Google Earth), with the same cases
// the XLSX would list (the same scoped query). Cases without a location are
// left out and counted in the caption.
//
// Need to know: a map of where vulnerable people live is sensitive however
// it is labelled, and a file with points is passed around more easily than
// a table. So it carries what a coordinator plans and filters on (case
// code, category and its group, status, urgency, needs, kecamatan and
// kelurahan with their Kemendagri codes for joining boundary layers, the
// report date) and nothing that names or identifies the person: no name,
// NIK, No. KK, address, RT/RW, birth date, gender, description, photos or
// reporter. The case code leads to the rest in the bot, for those allowed.

// mapCase is one case on the map: the properties of a GeoJSON feature and
// the ExtendedData of a KML placemark, in this order.
type mapCase struct {
	Code          string `json:"kode"`
	CategoryCode  string `json:"kode_kategori"`
	Category      string `json:"kategori"`
	Group         string `json:"kelompok"`
	Status        string `json:"status"`
	Urgency       string `json:"urgensi"`
	Needs         string `json:"kebutuhan"`
	KecamatanCode string `json:"kode_kecamatan"`
	Kecamatan     string `json:"kecamatan"`
	KelurahanCode string `json:"kode_kelurahan"`
	Kelurahan     string `json:"kelurahan"`
	Reported      string `json:"tanggal_lapor"` // YYYY-MM-DD in the configured zone
	lat, lon      float64
}

// fields are the case's properties as KML's Data: name, display name, value.
func (m mapCase) fields() [][3]string {
	return [][3]string{{"kode", "Kode Kasus", m.Code}, {"kode_kategori", "Kode Kategori", m.CategoryCode},
		{"kategori", "Kategori PMKS", m.Category}, {"kelompok", "Kelompok", m.Group}, {"status", "Status", m.Status},
		{"urgensi", "Urgensi", m.Urgency}, {"kebutuhan", "Kebutuhan", m.Needs},
		{"kode_kecamatan", "Kode Kecamatan", m.KecamatanCode}, {"kecamatan", "Kecamatan", m.Kecamatan},
		{"kode_kelurahan", "Kode Kelurahan", m.KelurahanCode}, {"kelurahan", "Kelurahan", m.Kelurahan},
		{"tanggal_lapor", "Tanggal Lapor", m.Reported}}
}

// mapCases keeps the rows with a location, as the map shows them, and
// counts the others.
func (a *App) mapCases(lang i18n.Lang, rows []store.ExportRow) (out []mapCase, noLocation int) {
	for _, r := range rows {
		if !r.HasLocation {
			noLocation++
			continue
		}
		m := mapCase{Code: r.Code, CategoryCode: r.Category, Category: categoryName(r.Category),
			Status:        stripEmoji(i18n.T(lang, "case.status."+r.Status)),
			Urgency:       stripEmoji(i18n.T(lang, "case.urgency."+r.Urgency)),
			KecamatanCode: r.Kecamatan, KelurahanCode: r.Kelurahan,
			Reported: r.CreatedAt.In(a.cfg.Location).Format("2006-01-02"), lat: r.Latitude, lon: r.Longitude}
		if cat, ok := pmks.ByCode(r.Category); ok {
			m.Group = stripEmoji(i18n.T(lang, "case.group."+cat.Group))
		}
		var needs []string
		for _, n := range r.Needs {
			needs = append(needs, i18n.T(lang, "case.need."+n))
		}
		m.Needs = strings.Join(needs, ", ")
		if k, ok := a.cfg.Regions.KecamatanByCode(r.Kecamatan); ok {
			m.Kecamatan = k.Name
		}
		if p, ok := a.cfg.Regions.KelurahanByCode(r.Kelurahan); ok {
			m.Kelurahan = p.Kelurahan.Name
		}
		out = append(out, m)
	}
	return out, noLocation
}

// round6 keeps six decimals (about 0.1 m), as RFC 7946 advises.
func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

type geoCollection struct {
	Type     string       `json:"type"`
	Name     string       `json:"name,omitempty"` // a foreign member QGIS takes as the layer's name
	Features []geoFeature `json:"features"`
}

type geoFeature struct {
	Type       string   `json:"type"`
	ID         string   `json:"id"`
	Geometry   geoPoint `json:"geometry"`
	Properties mapCase  `json:"properties"`
}

type geoPoint struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"` // longitude, latitude (RFC 7946 3.1.1)
}

// exportGeoJSON writes cases as an RFC 7946 FeatureCollection of Points.
func exportGeoJSON(name string, cases []mapCase) ([]byte, error) {
	fc := geoCollection{Type: "FeatureCollection", Name: name, Features: []geoFeature{}}
	for _, m := range cases {
		fc.Features = append(fc.Features, geoFeature{Type: "Feature", ID: m.Code, Properties: m,
			Geometry: geoPoint{Type: "Point", Coordinates: [2]float64{round6(m.lon), round6(m.lat)}}})
	}
	data, err := json.MarshalIndent(fc, "", " ")
	if err != nil {
		return nil, fmt.Errorf("export geojson: %w", err)
	}
	return data, nil
}

type kmlFile struct {
	XMLName  xml.Name    `xml:"kml"`
	NS       string      `xml:"xmlns,attr"`
	Document kmlDocument `xml:"Document"`
}

type kmlDocument struct {
	Name       string         `xml:"name"`
	Placemarks []kmlPlacemark `xml:"Placemark"`
}

type kmlPlacemark struct {
	Name  string    `xml:"name"`
	Data  []kmlData `xml:"ExtendedData>Data"`
	Point kmlPoint  `xml:"Point"`
}

type kmlData struct {
	Name        string `xml:"name,attr"`
	DisplayName string `xml:"displayName"`
	Value       string `xml:"value"`
}

type kmlPoint struct {
	Coordinates string `xml:"coordinates"` // longitude,latitude (KML 2.2)
}

// exportKML writes cases as KML 2.2 placemarks named by case code, their
// properties as ExtendedData (Google Earth shows them in the balloon).
func exportKML(name string, cases []mapCase) ([]byte, error) {
	doc := kmlFile{NS: "http://www.opengis.net/kml/2.2", Document: kmlDocument{Name: name}}
	for _, m := range cases {
		p := kmlPlacemark{Name: m.Code, Point: kmlPoint{Coordinates: strconv.FormatFloat(round6(m.lon), 'f', -1, 64) +
			"," + strconv.FormatFloat(round6(m.lat), 'f', -1, 64)}}
		for _, f := range m.fields() {
			p.Data = append(p.Data, kmlData{Name: f[0], DisplayName: f[1], Value: f[2]})
		}
		doc.Document.Placemarks = append(doc.Document.Placemarks, p)
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("export kml: %w", err)
	}
	return buf.Bytes(), nil
}

// sendExportMap audits the map export and sends the GeoJSON and KML files,
// or says there is nothing to map.
func (a *App) sendExportMap(c *Ctx, name, detail string, rows []store.ExportRow) error {
	cases, noLocation := a.mapCases(c.Lang, rows)
	if err := c.Tx.Audit(c.User.ID, "export", fmt.Sprintf("%s format=map mapped=%d", detail, len(cases))); err != nil {
		return err
	}
	if len(cases) == 0 {
		return c.Reply(c.T("exp.map.none", "n", itoa(noLocation)))
	}
	title := c.T("exp.sheet")
	geo, err := exportGeoJSON(title, cases)
	if err != nil {
		return err
	}
	kml, err := exportKML(title, cases)
	if err != nil {
		return err
	}
	caption := c.T("exp.map.caption", "n", itoa(len(cases)))
	if noLocation > 0 {
		caption += "\n" + c.T("exp.map.no_location", "n", itoa(noLocation))
	}
	if _, err := c.Send(store.Message{Kind: store.KindDocument, FileName: name + ".geojson", File: geo,
		Text: caption}); err != nil {
		return err
	}
	_, err = c.Send(store.Message{Kind: store.KindDocument, FileName: name + ".kml", File: kml,
		Text: c.T("exp.map.caption.kml")})
	return err
}
