package main

import (
	"reflect"
	"testing"
)

func TestKeepFrom(t *testing.T) {
	old := &results{
		Versions: [][2]string{{"trustform", "git old"}, {"moto", "moto 1"}},
		Notes:    []string{"an earlier note"},
		Results: []runResult{
			{Tool: "trustform", Size: "10000", Commit: "old1"},
			{Tool: "terraform", Size: "10000", Commit: "old2"},
			{Tool: "terraform", Size: "500", Commit: "old3"},
		},
		Local: []localResult{{Size: "10000", Commit: "old4"}},
	}
	terraformAt10000 := func(tool, size string) bool { return tool == "terraform" && size == "10000" }
	tests := []struct {
		name       string
		add        bool
		keepLocal  bool
		wantRuns   []string // commits of the runs kept, in order
		wantLocal  bool
		nowRunning func(tool, size string) bool
		trustform  bool // whether this invocation runs trustform
		wantTool   string
	}{
		{name: "replace the runs being run again", wantRuns: []string{"old1", "old3"}, nowRunning: terraformAt10000, wantTool: "git old"},
		{name: "add to the runs being run again", add: true, wantRuns: []string{"old1", "old2", "old3"}, nowRunning: terraformAt10000, wantTool: "git old"},
		{name: "keep the local benchmark when it is not run", keepLocal: true, wantRuns: []string{"old1", "old2", "old3"}, wantLocal: true,
			nowRunning: func(string, string) bool { return false }, trustform: true, wantTool: "git new"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := &results{Notes: []string{"an earlier note", "a note of this invocation"},
				Versions: [][2]string{{"trustform", "git new"}, {"moto", "moto 2"}}}
			keepFrom(res, old, tt.nowRunning, tt.add, tt.keepLocal, tt.trustform)
			if want := [][2]string{{"trustform", tt.wantTool}, {"moto", "moto 2"}}; !reflect.DeepEqual(res.Versions, want) {
				t.Errorf("versions %v, want %v", res.Versions, want)
			}
			var commits []string
			for _, r := range res.Results {
				commits = append(commits, r.Commit)
			}
			if !reflect.DeepEqual(commits, tt.wantRuns) {
				t.Errorf("runs kept %v, want %v", commits, tt.wantRuns)
			}
			if (res.Local != nil) != tt.wantLocal {
				t.Errorf("local benchmark kept: %v, want %v", res.Local != nil, tt.wantLocal)
			}
			if want := []string{"an earlier note", "a note of this invocation"}; !reflect.DeepEqual(res.Notes, want) {
				t.Errorf("notes %v, want %v", res.Notes, want)
			}
		})
	}
}

func TestRunCount(t *testing.T) {
	tests := []struct {
		name   string
		groups []runGroup
		want   string
	}{
		{name: "every tool and size ran as often", groups: []runGroup{{runs: 3}, {runs: 3}}, want: "3 runs"},
		{name: "some ran less", groups: []runGroup{{runs: 3}, {runs: 2}, {runs: 3}}, want: "2 to 3 runs (see Runs)"},
		{name: "nothing ran", want: "no runs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := runCount(tt.groups); got != tt.want {
				t.Errorf("runCount = %q, want %q", got, tt.want)
			}
		})
	}
}
