package telegramtest

import (
	"encoding/json"
	"testing"
	"time"
)

// A forwarded location reaches the bot as Bot API 7 shapes it: the location
// and a forward_origin of type "user" (with sender_user) or "hidden_user"
// (with sender_user_name), dated when the original was sent.
func TestForwardLocationWire(t *testing.T) {
	srv, _ := newTestServer(t, Options{})
	rina := srv.NewUser(UserOptions{ID: 777, FirstName: "Rina"})
	budi := srv.NewUser(UserOptions{ID: 778, FirstName: "Budi"})
	sent := time.Date(2026, 11, 2, 1, 30, 0, 0, time.UTC)
	rina.ForwardLocation(-1.61, 103.61, ForwardOrigin{From: budi, Date: sent})
	rina.ForwardLocation(-1.62, 103.62, ForwardOrigin{HiddenName: "Budi S."})
	rina.SendLocation(-1.63, 103.63)

	resp := rawJSON(t, srv, "getUpdates", `{"offset":0}`)
	var ups []struct {
		Message struct {
			From     wireUser `json:"from"`
			Location *struct {
				Latitude, Longitude float64
			} `json:"location"`
			ForwardOrigin *struct {
				Type           string    `json:"type"`
				Date           int64     `json:"date"`
				SenderUser     *wireUser `json:"sender_user"`
				SenderUserName string    `json:"sender_user_name"`
			} `json:"forward_origin"`
		} `json:"message"`
	}
	if !resp.OK {
		t.Fatalf("getUpdates: %+v", resp)
	}
	if err := json.Unmarshal(resp.Result, &ups); err != nil || len(ups) != 3 {
		t.Fatalf("updates %s (%v)", resp.Result, err)
	}
	user, hidden, own := ups[0].Message, ups[1].Message, ups[2].Message
	if o := user.ForwardOrigin; o == nil || o.Type != "user" || o.Date != sent.Unix() || o.SenderUser == nil ||
		o.SenderUser.ID != 778 || o.SenderUserName != "" || user.From.ID != 777 || user.Location == nil {
		t.Errorf("forwarded from a user: %s", resp.Result)
	}
	if o := hidden.ForwardOrigin; o == nil || o.Type != "hidden_user" || o.SenderUserName != "Budi S." ||
		o.SenderUser != nil || o.Date == 0 || hidden.Location == nil {
		t.Errorf("forwarded from a hidden user: %s", resp.Result)
	}
	if own.ForwardOrigin != nil || own.Location == nil {
		t.Errorf("own location: %s", resp.Result)
	}
}
