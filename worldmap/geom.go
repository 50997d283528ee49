package worldmap

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// box is an axis-aligned rectangle in viewBox units.
type box struct{ x0, y0, x1, y1 float64 }

func emptyBox() box { return box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)} }

func (b box) empty() bool { return b.x0 > b.x1 }

func (b *box) add(x, y float64) {
	b.x0, b.y0 = math.Min(b.x0, x), math.Min(b.y0, y)
	b.x1, b.y1 = math.Max(b.x1, x), math.Max(b.y1, y)
}

func (b *box) union(o box) {
	if !o.empty() {
		b.add(o.x0, o.y0)
		b.add(o.x1, o.y1)
	}
}

// pathBox is the bounding box of a shape's largest ring (by the area of
// its box): the mainland, so that a region view of Europe is not stretched
// to French Guiana, nor one of the Americas to Alaska. The paths are the
// converter's: M, m, l and z with integer coordinates, m relative to the
// start of the ring before it.
func pathBox(d string) (box, error) {
	best, cur := emptyBox(), emptyBox()
	var x, y, sx, sy float64
	cmd := byte(0)
	var nums []float64
	flush := func() error {
		switch cmd {
		case 'M', 'm':
			if len(nums) != 2 {
				return fmt.Errorf("%c takes one pair, has %d numbers", cmd, len(nums))
			}
			if cmd == 'M' {
				x, y = nums[0], nums[1]
			} else {
				x, y = sx+nums[0], sy+nums[1]
			}
			sx, sy = x, y
			cur = emptyBox()
			cur.add(x, y)
		case 'l':
			if len(nums)%2 != 0 {
				return fmt.Errorf("l takes pairs, has %d numbers", len(nums))
			}
			for i := 0; i < len(nums); i += 2 {
				x, y = x+nums[i], y+nums[i+1]
				cur.add(x, y)
			}
		case 'z':
			if (cur.x1-cur.x0)*(cur.y1-cur.y0) > (best.x1-best.x0)*(best.y1-best.y0) || best.empty() {
				best = cur
			}
			x, y = sx, sy
		}
		nums = nums[:0]
		return nil
	}
	for i := 0; i < len(d); {
		c := d[i]
		switch {
		case c == 'M' || c == 'm' || c == 'l' || c == 'z':
			if err := flush(); err != nil {
				return box{}, err
			}
			cmd = c
			i++
		case c == ' ':
			i++
		case c == '-' || c >= '0' && c <= '9' || c == '.':
			j := i + 1
			for j < len(d) && (d[j] >= '0' && d[j] <= '9' || d[j] == '.') {
				j++
			}
			f, err := strconv.ParseFloat(d[i:j], 64)
			if err != nil {
				return box{}, err
			}
			nums = append(nums, f)
			i = j
		default:
			return box{}, fmt.Errorf("unexpected %q in path", c)
		}
	}
	if err := flush(); err != nil {
		return box{}, err
	}
	if best.empty() {
		return box{}, fmt.Errorf("path has no closed ring")
	}
	return best, nil
}

// view is the part of the map an svg shows, the size of its markers, and
// the markers of the focus drawn a world's width to the right, next to
// the rest of their region (Samoa and Tonga beside Australia, not at the
// far left edge of the map).
type view struct {
	x, y, w, h float64
	r          float64 // marker radius
	wrapped    map[string]bool
}

func (v view) String() string {
	return strings.Join([]string{num(v.x), num(v.y), num(v.w), num(v.h)}, " ")
}

// num writes a coordinate with at most one decimal.
func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }

// markerRadius is a marker's radius on the whole map, in viewBox units: on
// a page 960 pixels wide, a dot 11 pixels across.
const markerRadius = 5.5

// minAspect is the narrowest a region's view gets (width to height): a
// tall region such as the Americas is shown nearer square than the world.
const minAspect = 1.25

// frame is the view that shows the focus countries: their mainland boxes
// and markers with a margin, at least a fifth of the map wide. With no
// focus, or one that needs the whole width, the whole map.
func frame(focus []string) view {
	W, H := float64(vbW), float64(vbH)
	whole := view{0, 0, W, H, markerRadius, nil}
	b := emptyBox()
	var pts []point
	for _, c := range focus {
		if i, ok := byCode[c]; ok {
			b.union(shapes[i].box)
		} else if i, ok := byPoint[c]; ok {
			pts = append(pts, points[i])
		}
	}
	wrapped := map[string]bool{}
	for _, p := range pts {
		// A Pacific island at the map's left edge belongs, for a region
		// drawn around Asia, at its right: the map wraps at 180°.
		if !b.empty() && p.x < b.x0 && p.x+W-b.x1 < b.x0-p.x && p.x+W-b.x1 < W/4 {
			wrapped[p.code] = true
			p.x += W
		}
		b.add(p.x, p.y)
	}
	if b.empty() {
		return whole
	}
	pad := math.Max(0.06*math.Max(b.x1-b.x0, b.y1-b.y0), 3*markerRadius)
	b = box{b.x0 - pad, b.y0 - pad, b.x1 + pad, b.y1 + pad}
	w, h := b.x1-b.x0, math.Min(b.y1-b.y0, H)
	if w < h*minAspect {
		w = h * minAspect
	}
	if w < W/5 {
		w = W / 5
	}
	if h < w/(W/H) {
		h = w / (W / H) // never wider than the world map's proportions
	}
	if w >= W*0.9 || h > H {
		return whole
	}
	cx, cy := (b.x0+b.x1)/2, (b.y0+b.y1)/2
	x := math.Max(0, math.Min(cx-w/2, W+W/4-w)) // up to a quarter-world past 180°: the wrapped islands
	y := math.Max(0, math.Min(cy-h/2, H-h))
	// Markers keep their size on screen, and grow a little when zoomed, so
	// that a region's islands are easier to tap.
	return view{x, y, w, h, markerRadius * w / W * 1.6, wrapped}
}

// marker is a small state's dot: where it is drawn (x, y), and where the
// state is (ax, ay), joined by a leader line when they differ.
type marker struct {
	code         string
	x, y, ax, ay float64
	displaced    bool
}

// layout places the markers of codes in view v so that no two overlap:
// dots closer than a diameter and a gap push each other apart, a few steps
// at a time, in a fixed order, so the result is always the same. A dot
// pushed off its state keeps a leader line to it.
func layout(codes []string, v view) []marker {
	r := v.r
	// Dots stay whole inside the view (those of the focus; others may be
	// outside it, and are drawn where they are, out of sight).
	clamp := func(m *marker) {
		if e := 3 * r; m.ax < v.x-e || m.ax > v.x+v.w+e || m.ay < v.y-e || m.ay > v.y+v.h+e {
			return
		}
		m.x = math.Max(v.x+r+1, math.Min(v.x+v.w-r-1, m.x))
		m.y = math.Max(v.y+r+1, math.Min(v.y+v.h-r-1, m.y))
	}
	ms := make([]marker, 0, len(codes))
	for _, c := range codes {
		if i, ok := byPoint[c]; ok {
			p := points[i]
			if v.wrapped[c] {
				p.x += float64(vbW)
			}
			ms = append(ms, marker{code: c, x: p.x, y: p.y, ax: p.x, ay: p.y})
			clamp(&ms[len(ms)-1])
		}
	}
	gap := 2.5 * r
	for step := 0; step < 400; step++ {
		moved := false
		for i := range ms {
			for j := i + 1; j < len(ms); j++ {
				dx, dy := ms[j].x-ms[i].x, ms[j].y-ms[i].y
				d := math.Hypot(dx, dy)
				if d >= gap {
					continue
				}
				if d < 1e-6 {
					dx, dy, d = 1, 0.5, math.Hypot(1, 0.5)
				}
				push := (gap - d) / 2 * 1.01
				ux, uy := dx/d, dy/d
				ms[i].x -= ux * push
				ms[i].y -= uy * push
				ms[j].x += ux * push
				ms[j].y += uy * push
				clamp(&ms[i])
				clamp(&ms[j])
				moved = true
			}
		}
		if !moved {
			break
		}
	}
	for i := range ms {
		m := &ms[i]
		m.displaced = math.Hypot(m.x-m.ax, m.y-m.ay) > r
	}
	return ms
}
