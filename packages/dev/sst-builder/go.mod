module vaultops.dev/sst-builder

go 1.24.7

require github.com/sst/sst/v3 v3.19.3

require (
	github.com/evanw/esbuild v0.21.5 // indirect
	golang.org/x/sync v0.18.0 // indirect
	golang.org/x/sys v0.38.0 // indirect
)
