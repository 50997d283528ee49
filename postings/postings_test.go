package postings

import (
	"reflect"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

func TestEncodeDecode(t *testing.T) {
	p := Postings{}
	p.Add(7, "press freedom", "the press", "")
	p.Add(70000, "", "press", "press release")
	p.Optimize()
	for tok, want := range p {
		data, err := Encode(want)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(data)
		if err != nil {
			t.Fatalf("%s: %v", tok, err)
		}
		for i := range want {
			w, g := want[i], got[i]
			if (w == nil || w.IsEmpty()) != (g == nil || g.IsEmpty()) || (w != nil && g != nil && !w.Equals(g)) {
				t.Errorf("%s field %d: got %v, want %v", tok, i, g, w)
			}
		}
	}
	if got := p["press"].Any().ToArray(); !reflect.DeepEqual(got, []uint32{7, 70000}) {
		t.Errorf("press in any field: %v", got)
	}
	if got := p["release"][Body].ToArray(); !reflect.DeepEqual(got, []uint32{70000}) {
		t.Errorf("release in the body: %v", got)
	}
	for _, bad := range [][]byte{nil, {5, 1, 2}, {0, 0, 0, 9}, {1, 0xff, 0, 0}} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%v) did not fail", bad)
		}
	}
}

func TestMask(t *testing.T) {
	parts := []*Part{
		{Docs: roaring.BitmapOf(1, 2, 3, 4)},
		{Docs: roaring.BitmapOf(2, 5)},
		{Docs: roaring.BitmapOf(3, 5, 6)},
	}
	Mask(parts)
	want := [][]uint32{{1, 4}, {2}, {3, 5, 6}}
	for i, p := range parts {
		if got := p.Live.ToArray(); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("part %d speaks for %v, want %v", i, got, want[i])
		}
	}
}

// FuzzDecode: a stored value that is not an encoding is an error, never a
// panic.
func FuzzDecode(f *testing.F) {
	p := Postings{}
	p.Add(1, "a b", "b", "c a")
	data, _ := Encode(p["a"])
	f.Add(data)
	f.Add([]byte{0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if fs, err := Decode(data); err == nil {
			if _, err := Encode(fs); err != nil {
				t.Fatal(err)
			}
		}
	})
}
