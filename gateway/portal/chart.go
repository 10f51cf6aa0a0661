package portal

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/autoledger/autoledger/chaincode/vehicle/vehicletypes"
)

// SVGContentType is the media type of the charts.
const SVGContentType = "image/svg+xml; charset=utf-8"

// The charts' geometry: one viewBox for all of them, so that the page lays
// them out alike.
const (
	chartW, chartH = 640, 320
	padLeft        = 76
	padRight       = 24
	padTop         = 44
	padBottom      = 48
	plotW          = chartW - padLeft - padRight
	plotH          = chartH - padTop - padBottom
)

// The palette, as presentation attributes: the chart carries no <style>,
// so it renders under a Content-Security-Policy of default-src 'none'.
const (
	colInk      = "#1d2733"
	colGrid     = "#d5dbe3"
	colSeries   = "#1f5fa8"
	colRollback = "#b3261e"
)

// point is one plotted observation.
type point struct {
	at    time.Time
	value float64
	// class is the element's class: what the point is ("reading",
	// "rollback", "report"); tests and the page's CSS key on it.
	class string
	// label is the point's tooltip (an SVG <title>).
	label string
}

// chart is what render draws: a time series on a value axis from 0.
type chart struct {
	title string
	// desc summarises the chart for screen readers.
	desc  string
	unit  string
	empty string
	// yMax fixes the value axis (a percentage); 0 takes it from the data,
	// at least minYMax.
	yMax    float64
	minYMax float64
	yTick   func(float64) string
	points  []point
	// legend lists (class, text) pairs drawn under the title.
	legend [][2]string
}

// OdometerSVG draws total distance over observation time, one point per
// reading, and marks each reading the ledger flagged as a suspected
// rollback. Readings are plotted in observation order (the ledger keeps
// them in recording order; a late record of an old reading belongs where
// it was observed). The output depends on the readings only.
func OdometerSVG(readings []vehicletypes.OdometerReading) []byte {
	rs := slices.Clone(readings)
	slices.SortStableFunc(rs, func(a, b vehicletypes.OdometerReading) int { return a.ObservedAt.Compare(b.ObservedAt) })
	c := chart{title: "Odometer: total distance", unit: "km", empty: "No odometer readings on record",
		minYMax: 100, yTick: func(v float64) string { return groupThousands(int64(v)) }}
	rollbacks := 0
	for _, r := range rs {
		p := point{at: r.ObservedAt, value: float64(r.TotalKm), class: "reading"}
		p.label = fmt.Sprintf("%s: %s km (%s)", day(r.ObservedAt), groupThousands(r.TotalKm), r.Source)
		if r.DisplayedKm != r.TotalKm {
			p.label += fmt.Sprintf(", displayed %s km", groupThousands(r.DisplayedKm))
		}
		if r.Rollback {
			rollbacks++
			p.class = "rollback"
			p.label = "Suspected rollback: " + p.label
		}
		c.points = append(c.points, p)
	}
	c.legend = [][2]string{{"reading", "reading"}}
	if rollbacks > 0 {
		c.legend = append(c.legend, [2]string{"rollback", "suspected rollback"})
	}
	c.desc = fmt.Sprintf("%d odometer readings", len(rs))
	if len(rs) > 0 {
		c.desc += fmt.Sprintf(" from %s to %s, %d flagged as suspected rollback", day(rs[0].ObservedAt), day(rs[len(rs)-1].ObservedAt), rollbacks)
	}
	return render(c)
}

// BatterySVG draws the battery's state of health (percent) over report
// time, one point per battery report, in report order by time.
func BatterySVG(reports []vehicletypes.BatteryReport) []byte {
	rs := slices.Clone(reports)
	slices.SortStableFunc(rs, func(a, b vehicletypes.BatteryReport) int { return a.ReportedAt.Compare(b.ReportedAt) })
	c := chart{title: "Battery: state of health", unit: "%", empty: "No battery reports on record",
		yMax: 100, yTick: func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) + " %" }}
	for _, r := range rs {
		c.points = append(c.points, point{at: r.ReportedAt, value: r.StateOfHealthPct, class: "report",
			label: fmt.Sprintf("%s: %s %% state of health, %s kWh, %d cycles (%s)", day(r.ReportedAt),
				oneDecimal(r.StateOfHealthPct), oneDecimal(r.RemainingCapacityKWh), r.CycleCount, r.Status)})
	}
	c.legend = [][2]string{{"report", "battery report"}}
	c.desc = fmt.Sprintf("%d battery reports", len(rs))
	if len(rs) > 0 {
		c.desc += fmt.Sprintf(" from %s to %s, latest %s %%", day(rs[0].ReportedAt), day(rs[len(rs)-1].ReportedAt), oneDecimal(rs[len(rs)-1].StateOfHealthPct))
	}
	return render(c)
}

// svg writes the chart's markup; every text goes through esc.
type svg struct{ bytes.Buffer }

func (b *svg) f(format string, args ...any) { fmt.Fprintf(&b.Buffer, format, args...) }

// esc is s escaped for XML text and attribute values (quotes included).
func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s)) // writes to memory: cannot fail
	return b.String()
}

func render(c chart) []byte {
	var b svg
	b.f(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="chart-title chart-desc" font-family="sans-serif" font-size="12" fill="%s">`+"\n",
		chartW, chartH, chartW, chartH, colInk)
	b.f(`<title id="chart-title">%s</title>`+"\n", esc(c.title))
	b.f(`<desc id="chart-desc">%s</desc>`+"\n", esc(c.desc))
	b.f(`<rect class="background" width="%d" height="%d" fill="#ffffff"/>`+"\n", chartW, chartH)
	b.f(`<text class="chart-title" x="%d" y="20" font-size="15" font-weight="bold">%s</text>`+"\n", padLeft, esc(c.title))
	if len(c.points) == 0 {
		b.f(`<rect class="plot" x="%d" y="%d" width="%d" height="%d" fill="none" stroke="%s"/>`+"\n", padLeft, padTop, plotW, plotH, colGrid)
		b.f(`<text class="empty" x="%d" y="%d" text-anchor="middle" font-size="14">%s</text>`+"\n", padLeft+plotW/2, padTop+plotH/2, esc(c.empty))
		b.WriteString("</svg>\n")
		return b.Bytes()
	}
	legend(&b, c.legend)

	t0, t1 := c.points[0].at, c.points[len(c.points)-1].at
	if !t1.After(t0) { // one instant: centre it in a two-day window
		t0, t1 = t0.Add(-24*time.Hour), t1.Add(24*time.Hour)
	}
	span := float64(t1.Sub(t0))
	x := func(t time.Time) float64 { return padLeft + float64(t.Sub(t0))/span*plotW }

	yMax, step := c.yMax, c.yMax/5
	if yMax == 0 {
		top := c.minYMax
		for _, p := range c.points {
			top = max(top, p.value)
		}
		step = niceStep(top / 4)
		yMax = math.Ceil(top/step) * step
	}
	y := func(v float64) float64 { return padTop + plotH - v/yMax*plotH }

	// Value axis: a grid line and a label per step.
	b.WriteString(`<g class="axis-y">` + "\n")
	for i := 0; float64(i)*step <= yMax+step/1e6; i++ {
		v := float64(i) * step
		b.f(`<line x1="%d" y1="%s" x2="%d" y2="%s" stroke="%s"/>`+"\n", padLeft, num(y(v)), padLeft+plotW, num(y(v)), colGrid)
		b.f(`<text class="tick-label" x="%d" y="%s" text-anchor="end">%s</text>`+"\n", padLeft-6, num(y(v)+4), esc(c.yTick(v)))
	}
	b.f(`<text class="axis-label" x="14" y="%d" text-anchor="middle" transform="rotate(-90 14 %d)">%s</text>`+"\n",
		padTop+plotH/2, padTop+plotH/2, esc(c.unit))
	b.WriteString("</g>\n")

	// Time axis: dates at the ends and, over a long enough span, between.
	b.WriteString(`<g class="axis-x">` + "\n")
	b.f(`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"/>`+"\n", padLeft, padTop+plotH, padLeft+plotW, padTop+plotH, colInk)
	ticks := 4
	if t1.Sub(t0) < 8*24*time.Hour {
		ticks = 1
	}
	for i := 0; i <= ticks; i++ {
		t := t0.Add(time.Duration(float64(t1.Sub(t0)) * float64(i) / float64(ticks)))
		anchor := "middle"
		switch i {
		case 0:
			anchor = "start"
		case ticks:
			anchor = "end"
		}
		b.f(`<line x1="%s" y1="%d" x2="%s" y2="%d" stroke="%s"/>`+"\n", num(x(t)), padTop+plotH, num(x(t)), padTop+plotH+5, colInk)
		b.f(`<text class="tick-label" x="%s" y="%d" text-anchor="%s">%s</text>`+"\n", num(x(t)), padTop+plotH+20, anchor, esc(day(t)))
	}
	b.WriteString("</g>\n")

	b.WriteString(`<polyline class="series" fill="none" stroke="` + colSeries + `" stroke-width="2" points="`)
	for i, p := range c.points {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.f("%s,%s", num(x(p.at)), num(y(p.value)))
	}
	b.WriteString(`"/>` + "\n")

	b.WriteString(`<g class="points">` + "\n")
	for _, p := range c.points {
		marker(&b, p.class, p.class == "rollback", x(p.at), y(p.value), p.label)
	}
	b.WriteString("</g>\n</svg>\n")
	return b.Bytes()
}

// marker draws one point: a dot, or for a suspected rollback a larger red
// dot with a white cross, so that it reads without colour too. class is
// the element's class; the legend's samples have their own, so that only
// plotted readings carry "rollback".
func marker(b *svg, class string, rollback bool, cx, cy float64, label string) {
	if rollback {
		b.f(`<g class="%s"><title>%s</title><circle cx="%s" cy="%s" r="7" fill="%s"/>`+
			`<path d="M%s %sl7 7m0 -7l-7 7" stroke="#ffffff" stroke-width="2"/></g>`+"\n",
			esc(class), esc(label), num(cx), num(cy), colRollback, num(cx-3.5), num(cy-3.5))
		return
	}
	b.f(`<circle class="%s" cx="%s" cy="%s" r="4" fill="%s"><title>%s</title></circle>`+"\n", esc(class), num(cx), num(cy), colSeries, esc(label))
}

// legend draws one sample marker and text per entry, right of the title.
func legend(b *svg, entries [][2]string) {
	b.WriteString(`<g class="legend">` + "\n")
	xPos := float64(chartW - padRight - 150*len(entries))
	for _, e := range entries {
		marker(b, "legend-"+e[0], e[0] == "rollback", xPos+8, 16, e[1])
		b.f(`<text x="%s" y="20">%s</text>`+"\n", num(xPos+20), esc(e[1]))
		xPos += 150
	}
	b.WriteString("</g>\n")
}

// niceStep is the smallest of 1, 2 or 5 times a power of ten at or above
// x: axis steps people read at a glance.
func niceStep(x float64) float64 {
	if x <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(x)))
	for _, m := range []float64{1, 2, 5, 10} {
		if x <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// num formats a coordinate with at most one decimal, the same way on every
// platform, so that equal input gives byte-equal SVG.
func num(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) }

func oneDecimal(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// day is t's UTC calendar date.
func day(t time.Time) string { return t.UTC().Format(time.DateOnly) }

// groupThousands writes n with ',' between groups of three digits.
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return sign + string(out)
}
