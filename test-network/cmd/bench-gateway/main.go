// Command bench-gateway measures what the REST gateway costs over calling
// Fabric directly with the fabric-gateway client, on the running native
// network, for the same mix of transactions (register a vehicle, record an
// odometer reading, read a report):
//
//  1. at a fixed rate below saturation: latency of each path (p50, p99), the
//     difference the REST layer adds, and the gateway's CPU per request;
//  2. at saturation (closed loop, many workers): throughput of each path.
//
// The two paths share one network whose ledger grows and whose neighbours
// (eleven Fabric processes on the same cores) come and go, so running one
// path after the other would hand the second a different machine. Instead
// both phases take turns in the order direct, REST, REST, direct, ...
// (turnOf): the fixed-rate phase request by request, each round of two of
// the same kind, the saturation phase in slices of a few seconds.
//
// It starts its own gateway process. Usage (after make network-up):
//
//	go run ./test-network/cmd/bench-gateway -rate 20 -duration 60s -workers 48
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
	rate     = flag.Float64("rate", 20, "requests per second for the fixed-rate phase, both paths together")
	duration = flag.Duration("duration", 60*time.Second, "length of each phase, both paths together")
	slice    = flag.Duration("slice", 5*time.Second, "length of one path's turn in the saturation phase")
	workers  = flag.Int("workers", 48, "concurrent clients for the saturation phase")
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

	paths := []path{direct, rest}
	results := map[string]*phase{}
	cpu0 := cpuTicks(gw.Process.Pid)
	for i, r := range fixedRate(paths, *rate, *duration) {
		results[paths[i].name+"/fixed"] = r
	}
	// The gateway serves only the REST requests (and reads every
	// transaction's event, the direct path's too: "idle work" below).
	results["REST/fixed"].cpuTicks = cpuTicks(gw.Process.Pid) - cpu0
	sat := []*phase{{}, {}}
	for turn := 0; time.Duration(turn/2)*(*slice) < *duration; turn++ {
		i := turnOf(turn, len(paths))
		cpu0 := cpuTicks(gw.Process.Pid)
		r := saturate(paths[i], *workers, *slice)
		r.cpuTicks = cpuTicks(gw.Process.Pid) - cpu0
		sat[i].add(r)
	}
	for i, p := range paths {
		results[p.name+"/saturated"] = sat[i]
	}
	report(results)
	return nil
}

type phase struct {
	mu       sync.Mutex
	lat      []time.Duration
	byKind   [3][]time.Duration // register, odometer, report
	errs     int
	elapsed  time.Duration
	cpuTicks int64
}

var kinds = [3]string{"register", "odometer reading", "report"}

// note records op number i of the mix, started at s.
func (p *phase) note(i int, s time.Time, err error) {
	d := time.Since(s)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.errs++
		return
	}
	p.lat = append(p.lat, d)
	k := kindOf(i)
	p.byKind[k] = append(p.byKind[k], d)
}

func (p *phase) add(q *phase) {
	p.lat = append(p.lat, q.lat...)
	for k := range p.byKind {
		p.byKind[k] = append(p.byKind[k], q.byKind[k]...)
	}
	p.errs += q.errs
	p.elapsed += q.elapsed
	p.cpuTicks += q.cpuTicks
}

func (p *phase) pct(q float64) time.Duration { return pct(p.lat, q) }

func pct(lat []time.Duration, q float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	return s[int(q*float64(len(s)-1))]
}

// kindOf says which op number i of the mix is: 1 register, 2 odometer
// readings, 2 reports in 5.
func kindOf(i int) int {
	switch i % 5 {
	case 0:
		return 0
	case 1, 3:
		return 1
	default:
		return 2
	}
}

func mix(p path, worker, i int) error {
	return [3]op{p.register, p.odometer, p.report}[kindOf(i)](worker, i)
}

// fixedRate sends the ticks down the paths in turn, each path running the
// same mix, so all paths meet the same network at the same moments.
func fixedRate(paths []path, perSec float64, d time.Duration) []*phase {
	res := make([]*phase, len(paths))
	for i := range res {
		res[i] = &phase{}
	}
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
			// A round is one op of the same kind per path. Consecutive
			// ticks use different cars, so the paths never race each
			// other's odometer readings on one car.
			k, round := turnOf(i, len(paths)), i/len(paths)
			s := time.Now()
			res[k].note(round, s, mix(paths[k], i%len(carsOf), round))
		}(i)
	}
	wg.Wait()
	for _, r := range res {
		r.elapsed = time.Since(t0)
	}
	return res
}

// turnOf says which of n paths takes turn i: rounds of one turn each,
// the order reversed every other round (for two: 0, 1, 1, 0, 0, 1, ...).
// The later turn of a round meets the earlier one's block validation on
// the peers; with a fixed order that alone made the later path's registers
// 16-23 ms slower at p50.
func turnOf(i, n int) int {
	if i/n%2 == 1 {
		return n - 1 - i%n
	}
	return i % n
}

func saturate(p path, n int, d time.Duration) *phase {
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
				res.note(i, s, mix(p, w, i))
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

// httpClient keeps a connection per worker, as a real client's pool would;
// http.DefaultClient keeps two idle ones per host, so 48 workers would pay
// a new TCP connection on most requests.
var httpClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}

func restPath(prodKey, telKey string) path {
	base := "http://127.0.0.1:18099"
	do := func(method, url, key, body string) error {
		req, _ := http.NewRequest(method, base+url, bytes.NewBufferString(body))
		req.Header.Set("X-API-Key", key)
		res, err := httpClient.Do(req)
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
	fmt.Printf("| fixed rate %.0f/s, ticks alternating | requests | errors | p50 | p99 |\n|---|---:|---:|---:|---:|\n", *rate)
	for _, n := range []string{"direct", "REST"} {
		p := r[n+"/fixed"]
		fmt.Printf("| %s | %d | %d | %s | %s |\n", n, len(p.lat), p.errs, ms(p.pct(0.5)), ms(p.pct(0.99)))
	}
	fmt.Printf("| REST adds | | | %s | %s |\n\n", ms(g.pct(0.5)-d.pct(0.5)), ms(g.pct(0.99)-d.pct(0.99)))
	fmt.Printf("| fixed rate, by kind | direct p50 | REST p50 | direct p99 | REST p99 |\n|---|---:|---:|---:|---:|\n")
	for k, name := range kinds {
		fmt.Printf("| %s | %s | %s | %s | %s |\n", name, ms(pct(d.byKind[k], 0.5)), ms(pct(g.byKind[k], 0.5)),
			ms(pct(d.byKind[k], 0.99)), ms(pct(g.byKind[k], 0.99)))
	}
	fmt.Println()
	if len(g.lat) > 0 {
		fmt.Printf("CPU per REST request in the gateway process, its idle work included: %.2f ms\n\n", float64(g.cpuTicks)*10/float64(len(g.lat)))
	}
	fmt.Printf("| saturated, %d workers, turns of %s | requests | errors | throughput |\n|---|---:|---:|---:|\n", *workers, *slice)
	for _, n := range []string{"direct", "REST"} {
		p := r[n+"/saturated"]
		fmt.Printf("| %s | %d | %d | %.1f/s |\n", n, len(p.lat), p.errs, float64(len(p.lat))/p.elapsed.Seconds())
	}
	ds, rs := r["direct/saturated"], r["REST/saturated"]
	fmt.Printf("| REST / direct | | | %.1f%% |\n\n", 100*float64(len(rs.lat))/rs.elapsed.Seconds()/(float64(len(ds.lat))/ds.elapsed.Seconds()))
	if len(rs.lat) > 0 {
		fmt.Printf("CPU per REST request in the gateway process at saturation: %.2f ms (during direct turns it spent %.2f ms per direct request on others' blocks)\n",
			float64(rs.cpuTicks)*10/float64(len(rs.lat)), float64(ds.cpuTicks)*10/float64(max(len(ds.lat), 1)))
	}
}
