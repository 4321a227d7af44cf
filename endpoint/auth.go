package endpoint

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// MinRecommendedCost is the lowest bcrypt cost not warned about at start.
const MinRecommendedCost = 10

// Per-client budget of password checks: a burst of failureBurst, then one
// per failureEvery. A client over it gets 429 without a check.
const (
	failureBurst = 10
	failureEvery = time.Second
	// maxTrackedClients bounds the per-address budgets kept; past it the
	// addresses not seen lately share one budget.
	maxTrackedClients = 4096
	// maxQueuedChecks bounds the password checks running or waiting: a
	// check never waits behind more than a few others (2,560 waiting,
	// 256 addresses' budgets, took minutes at cost 10); past it, 429.
	maxQueuedChecks = 8
	// maxCachedLogins bounds the remembered good credentials.
	maxCachedLogins = 64
)

// BasicAuthConfig is what NewBasicAuth needs.
type BasicAuthConfig struct {
	// Users maps each user name to the bcrypt hash of its password.
	Users map[string]string
	// Public paths are served without credentials (the health check).
	Public     []string
	Rejections *Rejections
	Logger     *slog.Logger
}

// BasicAuth checks HTTP basic auth against bcrypt hashes in front of a
// handler, built so that wrong passwords cannot starve the right ones:
//
//   - a login that succeeded is remembered (an HMAC of user, hash and
//     password with a key made at start), so a scrape with the right
//     password runs no bcrypt after the first; only good logins are kept,
//     so failures cannot push them out (the toolkit's cache keeps 100 of
//     any kind, and 256 clients with wrong passwords flush it);
//   - every other check takes one token of its client address' budget
//     (failureBurst, then one per failureEvery), given back when the login
//     succeeds; over it, 429 after a pause of failureEvery, without a
//     check;
//   - at most GOMAXPROCS-1 bcrypt checks (at least one) run at once, so a
//     CPU stays free for scrapes, and at most maxQueuedChecks run or wait;
//     past that, 429 after a pause, without a check.
//
// An unknown user name is checked against a hash of the same cost as the
// users' own, so the time of an answer does not tell whether the name
// exists (the toolkit's fixed cost-10 dummy does, for any other cost).
type BasicAuth struct {
	cfg       BasicAuthConfig
	next      http.Handler
	dummyHash []byte
	cacheKey  []byte
	checks    chan struct{} // bcrypt slots: see above
	queue     chan struct{} // checks running or waiting for a slot
	pause     time.Duration // before a 429

	mu       sync.Mutex
	good     map[[sha256.Size]byte]struct{}
	budgets  map[string]*bucket
	overflow *bucket
}

// NewBasicAuth checks cfg.Users' hashes, warns about weak ones, and returns
// next behind basic auth.
func NewBasicAuth(cfg BasicAuthConfig, next http.Handler) (*BasicAuth, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	names := make([]string, 0, len(cfg.Users))
	for name := range cfg.Users {
		names = append(names, name)
	}
	sort.Strings(names)
	costs := map[int][]string{}
	maxCost := bcrypt.MinCost
	for _, name := range names {
		cost, err := bcrypt.Cost([]byte(cfg.Users[name]))
		if err != nil {
			return nil, fmt.Errorf("basic_auth_users: %s: not a bcrypt hash: %w", name, err)
		}
		costs[cost] = append(costs[cost], name)
		maxCost = max(maxCost, cost)
		if cost < MinRecommendedCost {
			cfg.Logger.Warn("basic auth: a password hash has a low bcrypt cost, which makes guessing the password cheap; hash it again with a cost of at least 10 (htpasswd -nBC 10 USER)",
				"user", name, "cost", cost)
		}
	}
	if len(costs) > 1 {
		cfg.Logger.Warn("basic auth: the users' password hashes have different bcrypt costs, so the time of an answer tells which cost a user name has; hash them all with the same cost",
			"costs", fmt.Sprint(costs))
	}
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("basic auth: random key: %w", err)
	}
	// The dummy hash's password is random and never known: no request can
	// pass with an unknown user name.
	dummyPassword := make([]byte, 32)
	if _, err := rand.Read(dummyPassword); err != nil {
		return nil, fmt.Errorf("basic auth: random key: %w", err)
	}
	dummy, err := bcrypt.GenerateFromPassword(dummyPassword, maxCost)
	if err != nil {
		return nil, fmt.Errorf("basic auth: dummy hash: %w", err)
	}
	return &BasicAuth{
		cfg:       cfg,
		next:      next,
		dummyHash: dummy,
		cacheKey:  secret,
		checks:    make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1)),
		queue:     make(chan struct{}, maxQueuedChecks),
		pause:     failureEvery,
		good:      map[[sha256.Size]byte]struct{}{},
		budgets:   map[string]*bucket{},
		overflow:  newBucket(),
	}, nil
}

// DummyCost is the bcrypt cost unknown user names are checked at.
func (a *BasicAuth) DummyCost() int {
	cost, _ := bcrypt.Cost(a.dummyHash)
	return cost
}

func (a *BasicAuth) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if slices.Contains(a.cfg.Public, r.URL.Path) {
		a.next.ServeHTTP(w, r)
		return
	}
	user, password, given := r.BasicAuth()
	if !given {
		a.refuse(w, r, "no credentials")
		return
	}
	hash, known := a.cfg.Users[user]
	key := a.loginKey(user, hash, password)
	if known && a.remembered(key) {
		a.next.ServeHTTP(w, r)
		return
	}
	// A token is taken before the check, so that many requests at once
	// from one address cannot all pass; a good login gives it back.
	budget := a.budget(ClientAddress(r))
	if !budget.take(time.Now()) {
		a.tooMany(w, r, ReasonAuthRateLimit, "Too many failed logins from this address, try again later.")
		return
	}
	ok, err := a.check(r.Context(), known, hash, password)
	if errors.Is(err, errBusy) {
		budget.giveBack()
		a.tooMany(w, r, ReasonAuthBusy, "Too many logins being checked, try again later.")
		return
	}
	if err != nil { // the client went away while waiting for a check
		budget.giveBack()
		return
	}
	if !ok {
		if known {
			a.refuse(w, r, "wrong password", "user", user)
		} else {
			a.refuse(w, r, "unknown user") // the name may be a mistyped password: not logged
		}
		return
	}
	budget.giveBack()
	a.remember(key)
	a.next.ServeHTTP(w, r)
}

// tooMany answers 429 after a pause, so that a client refused sends one
// request per pause and connection, not thousands a second.
func (a *BasicAuth) tooMany(w http.ResponseWriter, r *http.Request, reason, text string) {
	a.cfg.Rejections.Request(r, reason)
	select {
	case <-time.After(a.pause):
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Retry-After", strconv.Itoa(int(failureEvery/time.Second)+1))
	http.Error(w, text, http.StatusTooManyRequests)
}

func (a *BasicAuth) refuse(w http.ResponseWriter, r *http.Request, why string, attrs ...any) {
	a.cfg.Rejections.Request(r, ReasonAuth, append([]any{"why", why}, attrs...)...)
	w.Header().Set("WWW-Authenticate", "Basic")
	http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
}

// check compares password with hash, or with the dummy hash for an unknown
// user, in one of the bcrypt slots.
func (a *BasicAuth) check(ctx context.Context, known bool, hash, password string) (bool, error) {
	select {
	case a.queue <- struct{}{}:
		defer func() { <-a.queue }()
	default:
		return false, errBusy
	}
	select {
	case a.checks <- struct{}{}:
		defer func() { <-a.checks }()
	case <-ctx.Done():
		return false, ctx.Err()
	}
	against := a.dummyHash
	if known {
		against = []byte(hash)
	}
	err := bcrypt.CompareHashAndPassword(against, []byte(password))
	return known && err == nil, nil
}

var errBusy = errors.New("too many password checks waiting")

func (a *BasicAuth) loginKey(user, hash, password string) [sha256.Size]byte {
	mac := hmac.New(sha256.New, a.cacheKey)
	for _, s := range []string{user, hash, password} {
		mac.Write([]byte(strconv.Itoa(len(s))))
		mac.Write([]byte{0})
		mac.Write([]byte(s))
	}
	var key [sha256.Size]byte
	mac.Sum(key[:0])
	return key
}

func (a *BasicAuth) remembered(key [sha256.Size]byte) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.good[key]
	return ok
}

func (a *BasicAuth) remember(key [sha256.Size]byte) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.good) >= maxCachedLogins {
		clear(a.good) // only holders of a password get here: rare
	}
	a.good[key] = struct{}{}
}

// budget is the check budget of a client address.
func (a *BasicAuth) budget(client string) *bucket {
	a.mu.Lock()
	defer a.mu.Unlock()
	if b, ok := a.budgets[client]; ok {
		return b
	}
	if len(a.budgets) >= maxTrackedClients {
		now := time.Now()
		for addr, b := range a.budgets {
			if b.full(now) { // nothing to remember: forget it
				delete(a.budgets, addr)
			}
		}
		if len(a.budgets) >= maxTrackedClients {
			return a.overflow
		}
	}
	b := newBucket()
	a.budgets[client] = b
	return b
}

// bucket is a token bucket of failureBurst tokens, one more every
// failureEvery, that can be given a token back (rate.Limiter cannot once
// a reservation has been acted on).
type bucket struct {
	mu     sync.Mutex
	tokens float64
	at     time.Time
}

func newBucket() *bucket { return &bucket{tokens: failureBurst, at: time.Now()} }

func (b *bucket) refill(now time.Time) {
	b.tokens = min(failureBurst, b.tokens+float64(now.Sub(b.at))/float64(failureEvery))
	b.at = now
}

// take takes a token, if there is one.
func (b *bucket) take(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

func (b *bucket) giveBack() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tokens = min(failureBurst, b.tokens+1)
}

func (b *bucket) full(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.refill(now)
	return b.tokens >= failureBurst
}
