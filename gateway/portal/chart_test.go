package portal

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// node is a parsed SVG element: the tests read the chart as XML, so a
// chart that is not well-formed fails every one of them.
type node struct {
	name     string
	attrs    map[string]string
	text     string // the element's own character data
	children []*node
}

func parseSVG(t *testing.T, b []byte) *node {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err, "the chart is well-formed XML:\n%s", b)
		switch tk := tok.(type) {
		case xml.StartElement:
			n := &node{name: tk.Name.Local, attrs: map[string]string{}}
			for _, a := range tk.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tk)
			}
		}
	}
	require.NotNil(t, root)
	require.Equal(t, "svg", root.name)
	return root
}

// all returns the elements under n (n included) for which match is true,
// in document order.
func (n *node) all(match func(*node) bool) []*node {
	var out []*node
	if match(n) {
		out = append(out, n)
	}
	for _, c := range n.children {
		out = append(out, c.all(match)...)
	}
	return out
}

func (n *node) class(c string) []*node {
	return n.all(func(m *node) bool { return m.attrs["class"] == c })
}

// texts are the character data of the elements of class c.
func (n *node) texts(c string) []string {
	var out []string
	for _, m := range n.class(c) {
		out = append(out, m.text)
	}
	return out
}

// title is the <title> text of element n.
func (n *node) title() string {
	for _, c := range n.children {
		if c.name == "title" {
			return c.text
		}
	}
	return ""
}

var day0 = time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC)

func reading(days int, km int64, rollback bool) vehicletypes.OdometerReading {
	return vehicletypes.OdometerReading{DisplayedKm: km, TotalKm: km, Source: "service",
		ObservedAt: day0.AddDate(0, 0, days), Rollback: rollback}
}

func TestOdometerMarksEachRollbackReading(t *testing.T) {
	svg := parseSVG(t, OdometerSVG([]vehicletypes.OdometerReading{
		reading(0, 1200, false), reading(90, 15400, false), reading(200, 9100, true), reading(400, 30100, false),
	}))
	rollbacks := svg.class("rollback")
	require.Len(t, rollbacks, 1, "one marker per rollback reading")
	assert.Equal(t, "Suspected rollback: 2024-09-17: 9,100 km (service)", rollbacks[0].title())
	assert.Len(t, svg.class("reading"), 3)
	assert.Len(t, svg.class("legend-rollback"), 1, "the legend explains the marker")
	assert.Contains(t, svg.all(func(n *node) bool { return n.name == "desc" })[0].text, "1 flagged as suspected rollback")

	clean := parseSVG(t, OdometerSVG([]vehicletypes.OdometerReading{reading(0, 1200, false), reading(90, 15400, false)}))
	assert.Empty(t, clean.class("rollback"))
	assert.Empty(t, clean.class("legend-rollback"), "no rollback, no rollback legend")
}

func TestOdometerAxes(t *testing.T) {
	svg := parseSVG(t, OdometerSVG([]vehicletypes.OdometerReading{reading(0, 1200, false), reading(400, 48213, false)}))
	// 48,213 km / 4 -> steps of 20,000 km up to 60,000.
	assert.Equal(t, []string{"0", "20,000", "40,000", "60,000"}, svg.class("axis-y")[0].texts("tick-label"))
	assert.Equal(t, []string{"km"}, svg.texts("axis-label"))
	x := svg.class("axis-x")[0].texts("tick-label")
	require.Len(t, x, 5)
	assert.Equal(t, "2024-03-01", x[0])
	assert.Equal(t, "2025-04-05", x[4])
	assert.Equal(t, []string{"Odometer: total distance"}, svg.texts("chart-title"))

	// Readings within a week: only the two ends are labelled.
	short := parseSVG(t, OdometerSVG([]vehicletypes.OdometerReading{reading(0, 10, false), reading(3, 50, false)}))
	assert.Equal(t, []string{"2024-03-01", "2024-03-04"}, short.class("axis-x")[0].texts("tick-label"))
	assert.Equal(t, []string{"0", "50", "100"}, short.class("axis-y")[0].texts("tick-label"), "at least 100 km high")
}

func TestOdometerPlotsInObservationOrder(t *testing.T) {
	in := []vehicletypes.OdometerReading{reading(300, 20000, false), reading(0, 100, false), reading(100, 9000, false)}
	sorted := []vehicletypes.OdometerReading{in[1], in[2], in[0]}
	out := OdometerSVG(in)
	assert.Equal(t, OdometerSVG(sorted), out, "recording order does not change the chart")
	assert.Equal(t, out, OdometerSVG(in), "the same readings give the same bytes")

	svg := parseSVG(t, out)
	var xs []float64
	for _, pair := range strings.Fields(svg.class("series")[0].attrs["points"]) {
		x, err := strconv.ParseFloat(strings.Split(pair, ",")[0], 64)
		require.NoError(t, err)
		xs = append(xs, x)
	}
	require.Len(t, xs, 3)
	assert.Less(t, xs[0], xs[1])
	assert.Less(t, xs[1], xs[2])
	assert.Equal(t, float64(padLeft), xs[0])
	assert.Equal(t, float64(padLeft+plotW), xs[2])
}

func TestOdometerClusterReplacementShowsDisplayedReading(t *testing.T) {
	r := reading(10, 130000, false)
	r.DisplayedKm = 20
	svg := parseSVG(t, OdometerSVG([]vehicletypes.OdometerReading{r}))
	assert.Equal(t, "2024-03-11: 130,000 km (service), displayed 20 km", svg.class("reading")[0].title())
	// One instant is centred in a two-day window.
	assert.Equal(t, []string{"2024-03-10", "2024-03-12"}, svg.class("axis-x")[0].texts("tick-label"))
}

func TestChartTextIsEscaped(t *testing.T) {
	r := reading(0, 5, false)
	r.Source = `<script>alert("x")</script>&amp;`
	out := OdometerSVG([]vehicletypes.OdometerReading{r})
	assert.NotContains(t, string(out), "<script>")
	svg := parseSVG(t, out)
	assert.Equal(t, `2024-03-01: 5 km (<script>alert("x")</script>&amp;)`, svg.class("reading")[0].title(), "the text survives escaping intact")

	b := vehicletypes.BatteryReport{StateOfHealthPct: 90, Status: `"/><g onload="x`, ReportedAt: day0}
	out = BatterySVG([]vehicletypes.BatteryReport{b})
	assert.NotContains(t, string(out), `"/><g onload`)
	assert.Contains(t, parseSVG(t, out).class("report")[0].title(), `("/><g onload="x)`)
}

func TestEmptyHistoryGivesNoReadingsChart(t *testing.T) {
	for name, out := range map[string][]byte{
		"No odometer readings on record": OdometerSVG(nil),
		"No battery reports on record":   BatterySVG([]vehicletypes.BatteryReport{}),
	} {
		svg := parseSVG(t, out)
		assert.Equal(t, []string{name}, svg.texts("empty"))
		assert.Empty(t, svg.class("series"))
		assert.Empty(t, svg.class("points"))
	}
}

func TestBatteryChart(t *testing.T) {
	reports := []vehicletypes.BatteryReport{
		{StateOfHealthPct: 91.25, RemainingCapacityKWh: 70.4, CycleCount: 420, Status: "original", ReportedAt: day0.AddDate(1, 0, 0)},
		{StateOfHealthPct: 99, RemainingCapacityKWh: 76.8, CycleCount: 10, Status: "original", ReportedAt: day0},
	}
	svg := parseSVG(t, BatterySVG(reports))
	assert.Equal(t, []string{"0 %", "20 %", "40 %", "60 %", "80 %", "100 %"}, svg.class("axis-y")[0].texts("tick-label"),
		"state of health is on a fixed 0-100 % axis")
	pts := svg.class("report")
	require.Len(t, pts, 2)
	assert.Equal(t, "2024-03-01: 99.0 % state of health, 76.8 kWh, 10 cycles (original)", pts[0].title(), "oldest first")
	assert.Equal(t, "2025-03-01: 91.2 % state of health, 70.4 kWh, 420 cycles (original)", pts[1].title())
	assert.Empty(t, svg.class("rollback"))
	y0, _ := strconv.ParseFloat(pts[0].attrs["cy"], 64)
	y1, _ := strconv.ParseFloat(pts[1].attrs["cy"], 64)
	assert.Less(t, y0, y1, "a lower state of health is drawn lower")
	assert.Contains(t, svg.all(func(n *node) bool { return n.name == "desc" })[0].text, "latest 91.2 %")
}

func TestChartHasNoStyleOrScript(t *testing.T) {
	// Served under default-src 'none': presentation attributes only.
	for _, out := range [][]byte{OdometerSVG([]vehicletypes.OdometerReading{reading(0, 1, true)}), BatterySVG(nil)} {
		svg := parseSVG(t, out)
		assert.Empty(t, svg.all(func(n *node) bool {
			_, handler := n.attrs["onload"]
			return n.name == "style" || n.name == "script" || n.name == "image" || n.name == "foreignObject" || handler || n.attrs["style"] != ""
		}))
	}
}

func TestNiceStepAndThousands(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 0.3: 0.5, 1: 1, 1.5: 2, 2.1: 5, 7: 10, 12053: 20000, 25: 50, 50000: 50000} {
		assert.Equal(t, want, niceStep(in), "niceStep(%v)", in)
	}
	for in, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 48213: "48,213", 1234567: "1,234,567", -4500: "-4,500"} {
		assert.Equal(t, want, groupThousands(in))
	}
}
