package civicmon

import "runtime/debug"

// Version is civicmon's release, set at build time with
// -ldflags "-X github.com/civicmon/civicmon.Version=v1.2.3"; otherwise it
// is taken from the module's build information.
var Version = ""

func init() {
	if Version != "" {
		return
	}
	Version = "dev"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		Version = bi.Main.Version
	}
}
