package console

import (
	"context"
	"sort"
	"time"
)

// chartData is the inline SVG of messages per hour by type, drawn on the
// server: stacked bars, one per hour.
type chartData struct {
	Width, Height, Base, Max, Hours int
	Bars                            []bar
	Ticks                           []tick
	Legend                          []legend
}

type bar struct {
	X, Y, W, H  int
	Color, Type string
	Count       int64
	Hour        string
}

type tick struct {
	X, Y  int
	Label string
}

type legend struct {
	Type, Color string
	Count       int64
}

// palette colours types in the order they sort.
var palette = []string{"#e63946", "#457b9d", "#2a9d8f", "#e9c46a", "#f4a261", "#6d597a", "#8ab17d", "#264653", "#b5838d", "#999999"}

func (c *Console) chart(ctx context.Context, deviceID int64) (chartData, error) {
	hours := c.o.Hours
	end := c.o.Now().UTC().Truncate(time.Hour).Add(time.Hour)
	start := end.Add(-time.Duration(hours) * time.Hour)
	counts, err := c.o.Store.Hourly(ctx, start, end, deviceID)
	if err != nil {
		return chartData{}, err
	}
	d := chartData{Width: 760, Height: 220, Base: 190, Hours: hours}
	totals := map[string]int64{}
	perHour := map[int]int64{}
	for _, h := range counts {
		totals[h.Type] += h.Count
		i := int(h.Hour.Sub(start) / time.Hour)
		perHour[i] += h.Count
		d.Max = max(d.Max, int(perHour[i]))
	}
	types := make([]string, 0, len(totals))
	for t := range totals {
		types = append(types, t)
	}
	sort.Strings(types)
	color := map[string]string{}
	for i, t := range types {
		color[t] = palette[i%len(palette)]
		d.Legend = append(d.Legend, legend{Type: t, Color: color[t], Count: totals[t]})
	}
	slot := (d.Width - 40) / hours
	plot := d.Base - 20
	stack := map[int]int{}
	for _, h := range counts {
		i := int(h.Hour.Sub(start) / time.Hour)
		hgt := int(h.Count) * plot / max(d.Max, 1)
		if hgt < 1 {
			hgt = 1
		}
		stack[i] += hgt
		d.Bars = append(d.Bars, bar{X: 40 + i*slot + 2, Y: d.Base - stack[i], W: slot - 4, H: hgt, Color: color[h.Type],
			Type: h.Type, Count: h.Count, Hour: h.Hour.Format("2006-01-02 15:00 UTC")})
	}
	for i := 0; i < hours; i += max(1, hours/8) {
		d.Ticks = append(d.Ticks, tick{X: 40 + i*slot + slot/2, Y: d.Base + 16, Label: start.Add(time.Duration(i) * time.Hour).Format("15:00")})
	}
	return d, nil
}
