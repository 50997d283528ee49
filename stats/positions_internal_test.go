package stats

import "testing"

func TestPositions(t *testing.T) {
	var m positions
	ids := []int64{1, 2, 70000, 1 << 40, 5, 3}
	for i, id := range ids {
		m.set(id, int32(i))
	}
	for i, id := range ids {
		if p, ok := m.get(id); !ok || p != int32(i) {
			t.Errorf("get(%d) = %d %v, want %d", id, p, ok, i)
		}
	}
	if _, ok := m.get(4); ok {
		t.Error("4 was never set")
	}
	if len(m.sparse) != 1 || len(m.dense) > 200000 {
		t.Errorf("%d sparse, %d dense: only the far id belongs in the map", len(m.sparse), len(m.dense))
	}
	m.del(2)
	m.del(1 << 40)
	if _, ok := m.get(2); ok {
		t.Error("2 deleted but found")
	}
	if _, ok := m.get(1 << 40); ok {
		t.Error("1<<40 deleted but found")
	}
	if p, ok := m.get(0); ok {
		t.Errorf("0 found at %d", p)
	}
}
