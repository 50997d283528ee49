package main

import (
	"strings"
	"testing"
)

func TestParseMemoryLimit(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		err  string
	}{
		{"auto", autoMemoryLimit, ""},
		{"", autoMemoryLimit, ""},
		{"off", 0, ""},
		{"0", 0, ""},
		{"256MiB", 256 << 20, ""},
		{"1GiB", 1 << 30, ""},
		{"512KiB", 512 << 10, ""},
		{"1000000", 1000000, ""},
		{"100B", 100, ""},
		{"12MB", 0, `"12MB" is not a size`},
		{"-5MiB", 0, "is not a size"},
		{"lots", 0, "is not a size"},
	} {
		got, err := parseMemoryLimit(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("parseMemoryLimit(%q) = %d, %v; want an error with %q", c.in, got, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("parseMemoryLimit(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
}
