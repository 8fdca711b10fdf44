package mototest

import (
	"net/http"
	"strings"
	"testing"
)

func TestStartServesOnLoopbackAndStops(t *testing.T) {
	s := Start(t)
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("moto listens on %s, want 127.0.0.1", s.URL)
	}
	resp, err := http.Get(s.URL + "/moto-api/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	s.Stop()
	if _, err := http.Get(s.URL + "/moto-api/"); err == nil {
		t.Fatal("moto still answers after stop")
	}
}
