// sst-builder runs SST's own Node builder, the Go package sst deploy runs, on the functions it is given.
//
// It is built from the Go module proxy at the SST version in the repository's package.json (go.mod pins
// it; a test checks the two agree), so what `npm run build` writes is what `sst deploy` would zip.
//
//	sst-builder build --config <repo>/sst.config.ts < requests.json > results.json
//
// requests.json is a JSON array of SST's BuildInput (functionID, handler, runtime, properties, and the
// optional encryptionKey and links); results.json answers each with SST's BuildOutput (out, handler,
// errors, sourcemaps), in the same order. Each build goes through runtime.Collection.Build, the call
// the SST command line makes for the "Runtime.Build" RPC of sst.aws.Function: it empties
// .sst/artifacts/<functionID>-src, runs esbuild with the options SST derives, and writes resource.enc.
//
//	sst-builder serve --config <repo>/sst.config.ts --listen 127.0.0.1:0
//
// answers the same builds over the JSON-RPC the SST platform's rpc.call speaks (POST /rpc), for a
// rehearsal of sst.config.ts; it prints the address it listens on as its first line.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/rpc"
	"net/rpc/jsonrpc"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"

	"github.com/sst/sst/v3/pkg/runtime"
	"github.com/sst/sst/v3/pkg/runtime/node"
)

const sstModule = "github.com/sst/sst/v3"

// sstVersion is the version of SST's module this binary was built with ("3.19.3").
func sstVersion() string {
	info, ok := debug.ReadBuildInfo()
	if ok {
		for _, dep := range info.Deps {
			if dep.Path == sstModule {
				return strings.TrimPrefix(dep.Version, "v")
			}
		}
	}
	return "dev"
}

type result struct {
	FunctionID string   `json:"functionID"`
	Out        string   `json:"out"`
	Handler    string   `json:"handler"`
	Errors     []string `json:"errors"`
	Sourcemaps []string `json:"sourcemaps"`
}

func collection(cfgPath string) *runtime.Collection {
	return runtime.NewCollection(cfgPath, node.New(sstVersion()))
}

func buildAll(cfgPath string, inputs []*runtime.BuildInput) []result {
	builds := collection(cfgPath)
	results := make([]result, len(inputs))
	var wg sync.WaitGroup
	for i, input := range inputs {
		wg.Add(1)
		go func(i int, input *runtime.BuildInput) {
			defer wg.Done()
			input.CfgPath = cfgPath
			r := result{FunctionID: input.FunctionID, Errors: []string{}, Sourcemaps: []string{}}
			out, err := builds.Build(context.Background(), input)
			if err != nil {
				r.Errors = append(r.Errors, err.Error())
			} else {
				r.Out, r.Handler, r.Errors, r.Sourcemaps = out.Out, out.Handler, out.Errors, out.Sourcemaps
				if r.Errors == nil {
					r.Errors = []string{}
				}
			}
			results[i] = r
		}(i, input)
	}
	wg.Wait()
	return results
}

// Runtime answers the platform's rpc.call("Runtime.Build", ...) as the SST command line does.
type Runtime struct {
	cfgPath string
	builds  *runtime.Collection
}

func (r *Runtime) Build(input *runtime.BuildInput, output *runtime.BuildOutput) error {
	input.CfgPath = r.cfgPath
	out, err := r.builds.Build(context.Background(), input)
	if err != nil {
		return err
	}
	*output = *out
	return nil
}

func (r *Runtime) AddTarget(input *runtime.BuildInput, output *bool) error {
	*output = true
	return nil
}

type rpcBody struct {
	io.Reader
	io.Writer
}

func (rpcBody) Close() error { return nil }

func serve(cfgPath, listen string) error {
	server := rpc.NewServer()
	if err := server.RegisterName("Runtime", &Runtime{cfgPath: cfgPath, builds: collection(cfgPath)}); err != nil {
		return err
	}
	listener, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	fmt.Printf("http://%s\n", listener.Addr().String())
	mux := http.NewServeMux()
	mux.HandleFunc("/rpc", func(w http.ResponseWriter, req *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		server.ServeRequest(jsonrpc.NewServerCodec(rpcBody{req.Body, w}))
	})
	return http.Serve(listener, mux)
}

func usage() {
	fmt.Fprintf(os.Stderr, "usage: sst-builder build|serve|version --config <sst.config.ts> [--listen 127.0.0.1:0]\n")
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	command := os.Args[1]
	cfgPath, listen := "", "127.0.0.1:0"
	for i := 2; i+1 < len(os.Args); i += 2 {
		switch os.Args[i] {
		case "--config":
			cfgPath = os.Args[i+1]
		case "--listen":
			listen = os.Args[i+1]
		default:
			usage()
		}
	}
	if command == "version" {
		fmt.Println(sstVersion())
		return
	}
	if cfgPath == "" {
		usage()
	}
	cfgPath, _ = filepath.Abs(cfgPath)
	switch command {
	case "build":
		var inputs []*runtime.BuildInput
		if err := json.NewDecoder(os.Stdin).Decode(&inputs); err != nil {
			fmt.Fprintf(os.Stderr, "sst-builder: the build requests on stdin are not a JSON array of BuildInput: %v\n", err)
			os.Exit(2)
		}
		if err := json.NewEncoder(os.Stdout).Encode(buildAll(cfgPath, inputs)); err != nil {
			fmt.Fprintf(os.Stderr, "sst-builder: %v\n", err)
			os.Exit(1)
		}
	case "serve":
		if err := serve(cfgPath, listen); err != nil {
			fmt.Fprintf(os.Stderr, "sst-builder: %v\n", err)
			os.Exit(1)
		}
	default:
		usage()
	}
}
