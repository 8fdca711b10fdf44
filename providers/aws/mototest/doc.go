// Package mototest runs moto_server, a real and independent implementation of
// the IAM and STS APIs, for the aws target's tests: on a free port of
// 127.0.0.1 only, with AWS-managed policies loaded (built in each account on
// its first use, see sitecustomize.py), stopped by its pid when the test
// ends. Where moto_server is not installed the tests that need it skip with a
// message saying how to get it — except under CI=true, where its absence
// fails them.
package mototest
