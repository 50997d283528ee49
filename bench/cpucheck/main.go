// Command cpucheck times a fixed loop on one core and on two at once, so
// that a benchmark's figures can be told from the machine's state: on the
// shared 2-vCPU machines a loop like this one has taken three times as
// long in one hour as in another, with nothing of ours running, and a
// second core that is taken shows as "two" well above "one". Run it
// before and after a benchmark, and compare its figures between runs:
//
//	go run ./bench/cpucheck
package main

import (
	"fmt"
	"sync"
	"time"
)

// spin is a fixed amount of integer work the compiler cannot remove.
func spin() uint64 {
	x := uint64(1)
	for range 400_000_000 {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

var sink uint64

func main() {
	start := time.Now()
	sink = spin()
	one := time.Since(start)

	start = time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for range 2 {
		wg.Go(func() {
			x := spin()
			mu.Lock()
			sink += x
			mu.Unlock()
		})
	}
	wg.Wait()
	two := time.Since(start)
	fmt.Printf("one core: %v; two cores at once: %v (%.2f× one; near 1 when both cores are free)\n",
		one.Round(time.Millisecond), two.Round(time.Millisecond), two.Seconds()/one.Seconds())
}
