package main

import (
	"reflect"
	"testing"
)

func TestParseLocal(t *testing.T) {
	output := `goos: linux
BenchmarkNoChangePlanLocal/500-2         	       3	  61234567 ns/op	       510.0 objects	 1234 B/op	 12 allocs/op
BenchmarkNoChangePlanLocal/10000-2       	       3	 712345678 ns/op	     10040 objects	 5678 B/op	 34 allocs/op
BenchmarkNoChangePlanLocal/500-2         	       3	  59000000 ns/op	       510.0 objects
BenchmarkApplyFromEmptyLocal/1000x14-2   	       3	5123000000 ns/op	     14000 objects
PASS
`
	got, err := parseLocal(output, "abc", "2026-11-23T08:00:00Z")
	if err != nil {
		t.Fatal(err)
	}
	want := []localResult{
		{Benchmark: "NoChangePlan", Size: "500", Objects: 510, Seconds: []float64{0.061234567, 0.059}, Commit: "abc", Ended: "2026-11-23T08:00:00Z"},
		{Benchmark: "NoChangePlan", Size: "10000", Objects: 10040, Seconds: []float64{0.712345678}, Commit: "abc", Ended: "2026-11-23T08:00:00Z"},
		{Benchmark: "ApplyFromEmpty", Size: "1000x14", Objects: 14000, Seconds: []float64{5.123}, Commit: "abc", Ended: "2026-11-23T08:00:00Z"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("parseLocal =\n%+v\nwant\n%+v", got, want)
	}
	if _, err := parseLocal("PASS\n", "abc", ""); err == nil {
		t.Fatal("output without results: no error")
	}
}
