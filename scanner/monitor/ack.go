package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cookiescan/cookiescan/scanner/monitor/store"
)

// AckResult is what Ack acknowledged.
type AckResult struct {
	Target     string
	OpenedScan int64
	Items      []Item
}

// Ack acknowledges the open regression of the target of scan id (the scanId of
// its alert, or any scan of that target): its problems no longer alert when
// they go and come back; a problem it did not cover alerts as usual, and ends
// the acknowledgement. The recovery is still announced.
func Ack(ctx context.Context, st *store.Store, id int64, now time.Time) (AckResult, error) {
	sc, _, err := st.Get(ctx, id)
	if err != nil {
		return AckResult{}, err
	}
	state, err := st.AlertStateOf(ctx, sc.Target)
	if err != nil {
		return AckResult{}, err
	}
	if !state.Open() {
		return AckResult{}, fmt.Errorf("scan %d: %s has no open regression to acknowledge", id, sc.Target)
	}
	items := OpenItems(state)
	keys := make([]string, len(items))
	for i, it := range items {
		keys[i] = it.Key
	}
	acked, _ := json.Marshal(keys)
	if err := st.Acknowledge(ctx, sc.Target, state.Fingerprint, acked, now); err != nil {
		if errors.Is(err, store.ErrChanged) {
			return AckResult{}, fmt.Errorf("scan %d: %s: %w; look at it again and acknowledge the new one", id, sc.Target, err)
		}
		return AckResult{}, err
	}
	return AckResult{Target: sc.Target, OpenedScan: state.OpenedScan, Items: items}, nil
}
