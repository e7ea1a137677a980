package telegramtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
)

// BotCommand is one entry of the bot's command menu.
type BotCommand struct {
	Command     string `json:"command"`
	Description string `json:"description"`
}

var commandRE = regexp.MustCompile(`^[a-z0-9_]{1,32}$`)

type commandScope struct {
	Type   string          `json:"type"`
	ChatID json.RawMessage `json:"chat_id"`
	UserID int64           `json:"user_id"`
}

// commandsKey names a (scope, language) pair: "default", "all_private_chats",
// "chat:123", "chat_member:123:456", with "@<language_code>" appended when a
// language is given.
func commandsKey(p *params) string {
	var sc commandScope
	key := "default"
	if p.json("scope", &sc) {
		key = sc.Type
		switch sc.Type {
		case "chat", "chat_administrators":
			key = fmt.Sprintf("%s:%s", sc.Type, bytes.Trim(sc.ChatID, `"`))
		case "chat_member":
			key = fmt.Sprintf("%s:%s:%d", sc.Type, bytes.Trim(sc.ChatID, `"`), sc.UserID)
		}
	}
	if lang := p.str("language_code"); lang != "" {
		key += "@" + lang
	}
	return key
}

func (s *Server) setMyCommands(c *call) (any, *apiError) {
	var cmds []BotCommand
	c.p.json("commands", &cmds)
	if len(cmds) > 100 {
		return nil, badRequest("too many commands")
	}
	for _, cmd := range cmds {
		if !commandRE.MatchString(cmd.Command) {
			return nil, badRequest("BOT_COMMAND_INVALID")
		}
		if n := utf16Len(cmd.Description); n < 1 || n > 256 {
			return nil, badRequest("BOT_COMMAND_DESCRIPTION_INVALID")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := commandsKey(c.p)
	if len(cmds) == 0 {
		delete(s.commands, key)
	} else {
		s.commands[key] = cmds
	}
	s.notifyLocked()
	return true, nil
}

func (s *Server) deleteMyCommands(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.commands, commandsKey(c.p))
	s.notifyLocked()
	return true, nil
}

func (s *Server) getMyCommands(c *call) (any, *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]BotCommand{}, s.commands[commandsKey(c.p)]...), nil
}

// CommandsSet returns the command lists set with setMyCommands, by scope key
// (see commandsKey: "default", "chat:123", "default@id", ...).
func (s *Server) CommandsSet() map[string][]BotCommand {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]BotCommand, len(s.commands))
	for _, k := range slices.Sorted(maps.Keys(s.commands)) {
		out[k] = slices.Clone(s.commands[k])
	}
	return out
}
