// Command bench-gateway measures what the REST gateway costs over calling
// Fabric directly with the fabric-gateway client, on the running native
// network, for the same mix of transactions (register a vehicle, record an
// odometer reading, read a report):
//
//  1. at a fixed rate below saturation: latency of each path (p50, p99), the
//     difference the REST layer adds, and the gateway's CPU per request;
//  2. at saturation (closed loop, many workers): throughput of each path.
//
// It starts its own gateway process. Usage (after make network-up):
//
//	go run ./test-network/cmd/bench-gateway -rate 20 -duration 20s -workers 16
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/autoledger/autoledger/gateway/demo"
	"github.com/autoledger/autoledger/network/connection"
	"github.com/autoledger/autoledger/network/fabclient"
	"github.com/hyperledger/fabric-gateway/pkg/client"
)

type op func(worker, i int) error

type path struct {
	name                       string
	register, odometer, report op
	ensure                     func(worker int) error
}

var (
	rate     = flag.Float64("rate", 20, "requests per second for the fixed-rate phase")
	duration = flag.Duration("duration", 20*time.Second, "length of each phase")
	workers  = flag.Int("workers", 16, "concurrent clients for the saturation phase")
	runDir   = flag.String("run", "test-network/run", "network run directory")
)

var seq atomic.Int64

func vin() string { return fmt.Sprintf("WVWZZZ1JZ%08d", seq.Add(1)%100000000) }

func registerJSON(v string) string {
	return fmt.Sprintf(`{"vin":%q,"birth":{"manufacturer":"Bench","model":"B","modelYear":2026,"plant":"P","productionDate":%q,"countryOfOrigin":"DE","colour":"red","powertrain":"ICE"}}`,
		v, time.Now().UTC().Add(-time.Hour).Format(time.RFC3339))
}

func odometerJSON(km int) string {
	return fmt.Sprintf(`{"km":%d,"source":"telematics","observedAt":%q}`, km, time.Now().UTC().Add(-time.Second).Format(time.RFC3339Nano))
}

func main() {
	flag.Parse()
	seq.Store(time.Now().UnixNano() / 1000 % 100000000)
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench-gateway:", err)
		os.Exit(1)
	}
}

func run() error {
	connPath, _ := filepath.Abs(filepath.Join(*runDir, "connection.json"))
	file, err := connection.Load(connPath)
	if err != nil {
		return fmt.Errorf("is the network up (make network-up)? %w", err)
	}
	dir, err := os.MkdirTemp("", "bench-gateway")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cfg, keys, err := demo.Generate(connPath, "127.0.0.1:18099", filepath.Join(dir, "gw.db"))
	if err != nil {
		return err
	}
	cfg.Limits.RatePerSec, cfg.Limits.Burst = 1e6, 1e6
	cfg.Pprof = os.Getenv("BENCH_GATEWAY_PPROF") // e.g. 127.0.0.1:6061, to profile the gateway under load
	if err := demo.Write(cfg, keys, "http://127.0.0.1:18099", filepath.Join(dir, "gw.yaml"), filepath.Join(dir, "env")); err != nil {
		return err
	}
	bin := filepath.Join(dir, "gw")
	if out, err := exec.Command("go", "build", "-o", bin, "./gateway/cmd/autoledger-gateway").CombinedOutput(); err != nil {
		return fmt.Errorf("build gateway: %v %s", err, out)
	}
	gw := exec.Command(bin, "-config", filepath.Join(dir, "gw.yaml"))
	logf, _ := os.Create(filepath.Join(os.TempDir(), "bench-gateway.log"))
	gw.Stdout, gw.Stderr = logf, logf
	if err := gw.Start(); err != nil {
		return err
	}
	defer func() { _ = gw.Process.Kill(); _ = gw.Wait() }()
	for i := 0; ; i++ {
		if res, err := http.Get("http://127.0.0.1:18099/readyz"); err == nil && res.StatusCode == 200 {
			res.Body.Close()
			break
		}
		if i > 100 {
			return fmt.Errorf("gateway not ready")
		}
		time.Sleep(100 * time.Millisecond)
	}
	key := func(role string) string {
		for _, k := range keys {
			if k.Org == "OemMSP" && k.Role == role {
				return k.Value
			}
		}
		return ""
	}

	rest := restPath(key("production"), key("telematics"))
	direct, err := directPath(file)
	if err != nil {
		return err
	}

	// Each worker records readings on and reads the report of its own car,
	// so concurrent readings never conflict; register them first.
	for w := range carsOf {
		if err := rest.ensure(w); err != nil {
			return fmt.Errorf("warm-up: %w", err)
		}
	}
	// Every org's peer must have the cars before they endorse readings on them.
	time.Sleep(2 * time.Second)
	fmt.Printf("warm-up done; %d workers, %s per phase, fixed rate %.0f/s\n\n", *workers, *duration, *rate)

	pid := gw.Process.Pid
	results := map[string]*phase{}
	for _, p := range []path{direct, rest} {
		// The direct path's Fabric client runs in this process, the REST
		// path's in the gateway: compare the CPU each spends per request.
		who := pid
		if p.name == "direct" {
			who = os.Getpid()
		}
		cpu0 := cpuTicks(who)
		r := fixedRate(p, *rate, *duration)
		r.cpuTicks = cpuTicks(who) - cpu0
		results[p.name+"/fixed"] = r
	}
	for _, p := range []path{direct, rest} {
		results[p.name+"/saturated"] = saturate(p, *workers, *duration)
	}
	report(results)
	return nil
}

type phase struct {
	lat      []time.Duration
	errs     int
	elapsed  time.Duration
	cpuTicks int64
}

func (p *phase) pct(q float64) time.Duration {
	if len(p.lat) == 0 {
		return 0
	}
	s := slices.Clone(p.lat)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}

// mix runs op number i of the mix: 1 register, 2 odometer readings, 2 reports in 5.
func mix(p path, worker, i int) error {
	switch i % 5 {
	case 0:
		return p.register(worker, i)
	case 1, 3:
		return p.odometer(worker, i)
	default:
		return p.report(worker, i)
	}
}

func fixedRate(p path, perSec float64, d time.Duration) *phase {
	var mu sync.Mutex
	res := &phase{}
	var wg sync.WaitGroup
	tick := time.NewTicker(time.Duration(float64(time.Second) / perSec))
	defer tick.Stop()
	end := time.Now().Add(d)
	t0 := time.Now()
	for i := 0; time.Now().Before(end); i++ {
		<-tick.C
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s := time.Now()
			err := mix(p, i%len(carsOf), i)
			mu.Lock()
			if err != nil {
				res.errs++
			} else {
				res.lat = append(res.lat, time.Since(s))
			}
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	res.elapsed = time.Since(t0)
	return res
}

func saturate(p path, n int, d time.Duration) *phase {
	var mu sync.Mutex
	res := &phase{}
	var wg sync.WaitGroup
	end := time.Now().Add(d)
	t0 := time.Now()
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(end); i++ {
				s := time.Now()
				err := mix(p, w, i)
				mu.Lock()
				if err != nil {
					res.errs++
				} else {
					res.lat = append(res.lat, time.Since(s))
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.elapsed = time.Since(t0)
	return res
}

// carsOf[w] is the car worker w records readings on and reports about.
var carsOf = func() []string {
	out := make([]string, 64)
	for i := range out {
		out[i] = fmt.Sprintf("WVWZZZ1JZB%07d", (time.Now().UnixNano()/1000+int64(i))%10000000)
	}
	return out
}()

var km sync.Map // car -> *atomic.Int64

func nextKm(car string) int {
	v, _ := km.LoadOrStore(car, new(atomic.Int64))
	return int(v.(*atomic.Int64).Add(10))
}

func restPath(prodKey, telKey string) path {
	base := "http://127.0.0.1:18099"
	do := func(method, url, key, body string) error {
		req, _ := http.NewRequest(method, base+url, bytes.NewBufferString(body))
		req.Header.Set("X-API-Key", key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if res.StatusCode >= 300 {
			return fmt.Errorf("%s %s: %d", method, url, res.StatusCode)
		}
		return nil
	}
	car := func(w int) string { return carsOf[w%len(carsOf)] }
	return path{
		name:     "REST",
		ensure:   func(w int) error { return do("POST", "/v1/vehicles", prodKey, registerJSON(car(w))) },
		register: func(int, int) error { return do("POST", "/v1/vehicles", prodKey, registerJSON(vin())) },
		odometer: func(w, _ int) error {
			return do("POST", "/v1/vehicles/"+car(w)+"/odometer-readings", telKey, odometerJSON(nextKm(car(w))))
		},
		report: func(w, _ int) error { return do("GET", "/v1/vehicles/"+car(w)+"/report", telKey, "") },
	}
}

func directPath(f *connection.File) (path, error) {
	o, err := f.Org("OemMSP")
	if err != nil {
		return path{}, err
	}
	conn, err := fabclient.Dial(o, o.Peers[0])
	if err != nil {
		return path{}, err
	}
	prod, err := fabclient.Connect(o, "production", conn)
	if err != nil {
		return path{}, err
	}
	tel, err := fabclient.Connect(o, "telematics", conn)
	if err != nil {
		return path{}, err
	}
	pc := prod.GetNetwork(f.Channel).GetContract(f.Chaincode)
	tc := tel.GetNetwork(f.Channel).GetContract(f.Chaincode)
	return path{
		name: "direct",
		register: func(int, int) error {
			_, err := pc.Submit("vehicle:Register", client.WithArguments(registerJSON(vin())))
			return err
		},
		odometer: func(w, _ int) error {
			car := carsOf[w%len(carsOf)]
			_, err := tc.Submit("vehicle:RecordOdometer", client.WithArguments(car, odometerJSON(nextKm(car))))
			return err
		},
		report: func(w, _ int) error {
			_, err := tc.Evaluate("vehicle:Report", client.WithArguments(carsOf[w%len(carsOf)]))
			return err
		},
	}, nil
}

// cpuTicks is the process's user+system CPU time in clock ticks.
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b)[strings.LastIndex(string(b), ")")+2:])
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return u + s
}

func report(r map[string]*phase) {
	d, g := r["direct/fixed"], r["REST/fixed"]
	ms := func(x time.Duration) string { return fmt.Sprintf("%.1f ms", float64(x.Microseconds())/1000) }
	fmt.Printf("| fixed rate %.0f/s | requests | errors | p50 | p99 |\n|---|---:|---:|---:|---:|\n", *rate)
	for _, n := range []string{"direct", "REST"} {
		p := r[n+"/fixed"]
		fmt.Printf("| %s | %d | %d | %s | %s |\n", n, len(p.lat), p.errs, ms(p.pct(0.5)), ms(p.pct(0.99)))
	}
	fmt.Printf("| REST adds | | | %s | %s |\n\n", ms(g.pct(0.5)-d.pct(0.5)), ms(g.pct(0.99)-d.pct(0.99)))
	if len(g.lat) > 0 && len(d.lat) > 0 {
		fmt.Printf("CPU per request: gateway process %.2f ms; direct fabric-gateway client (this process, including its own load generation) %.2f ms\n\n",
			float64(g.cpuTicks)*10/float64(len(g.lat)), float64(d.cpuTicks)*10/float64(len(d.lat)))
	}
	fmt.Printf("| saturated, %d workers | requests | errors | throughput |\n|---|---:|---:|---:|\n", *workers)
	for _, n := range []string{"direct", "REST"} {
		p := r[n+"/saturated"]
		fmt.Printf("| %s | %d | %d | %.1f/s |\n", n, len(p.lat), p.errs, float64(len(p.lat))/p.elapsed.Seconds())
	}
	ds, rs := r["direct/saturated"], r["REST/saturated"]
	fmt.Printf("| REST / direct | | | %.1f%% |\n", 100*float64(len(rs.lat))/rs.elapsed.Seconds()/(float64(len(ds.lat))/ds.elapsed.Seconds()))
}
