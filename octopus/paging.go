package octopus

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"octosync.dev/octosync/model"
)

// List reads a whole collection and returns its items in the server's
// order. It asks for the paged collection at path with take set to
// [Options.PageSize] (unless path sets take) and follows the envelope's
// Links["Page.Next"] until there is none. An answer that is a bare JSON
// array (the /all routes, lifecycles/{id}/projects) is the whole
// collection.
func (c *Client) List(ctx context.Context, path string) ([]json.RawMessage, error) {
	next, err := withTake(path, c.pageSize)
	if err != nil {
		return nil, c.wrap(http.MethodGet, path, err)
	}
	var items []json.RawMessage
	seen := map[string]bool{}
	for next != "" {
		seen[next] = true
		raw, err := c.Get(ctx, next)
		if err != nil {
			return nil, err
		}
		page, link, err := decodePage(raw)
		if err != nil {
			return nil, c.wrap(http.MethodGet, next, err)
		}
		if seen[link] {
			return nil, c.wrap(http.MethodGet, next, fmt.Errorf("the Page.Next link %q leads to a page already read", link))
		}
		items = append(items, page...)
		next = link
	}
	return items, nil
}

// ListDocs is [Client.List] with every item decoded by [DecodeDoc].
func (c *Client) ListDocs(ctx context.Context, path string) ([]model.Doc, error) {
	items, err := c.List(ctx, path)
	if err != nil {
		return nil, err
	}
	docs := make([]model.Doc, len(items))
	for i, raw := range items {
		if docs[i], err = DecodeDoc(raw); err != nil {
			return nil, c.wrap(http.MethodGet, path, fmt.Errorf("item %d: %w", i, err))
		}
	}
	return docs, nil
}

// GetDoc is [Client.Get] with the answer decoded by [DecodeDoc].
func (c *Client) GetDoc(ctx context.Context, path string) (model.Doc, error) {
	raw, err := c.Get(ctx, path)
	if err != nil {
		return nil, err
	}
	doc, err := DecodeDoc(raw)
	if err != nil {
		return nil, c.wrap(http.MethodGet, path, err)
	}
	return doc, nil
}

// DecodeDoc decodes a JSON object into a [model.Doc]. Numbers become
// [json.Number], so they are written back exactly as the server sent them.
func DecodeDoc(raw json.RawMessage) (model.Doc, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var doc model.Doc
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("decode document: %w", err)
	}
	if doc == nil {
		return nil, errors.New("decode document: not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("decode document: unexpected data after the object")
	}
	return doc, nil
}

// withTake returns path with take=size added to its query, unless the
// query sets take already.
func withTake(path string, size int) (string, error) {
	if path == "" {
		return "", errors.New("empty path")
	}
	u, err := url.Parse(path)
	if err != nil {
		return "", fmt.Errorf("invalid path: %w", err)
	}
	for k := range u.Query() {
		if strings.EqualFold(k, "take") {
			return path, nil
		}
	}
	sep := "?"
	switch {
	case u.RawQuery != "":
		sep = "&"
	case u.ForceQuery:
		sep = ""
	}
	return path + sep + "take=" + strconv.Itoa(size), nil
}

// decodePage reads one page of a collection: a bare array, or an envelope
// with Items and Links["Page.Next"].
func decodePage(raw []byte) (items []json.RawMessage, next string, err error) {
	trimmed := bytes.TrimLeft(raw, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '[' {
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, "", fmt.Errorf("decode collection: %w", err)
		}
		return items, "", nil
	}
	var env struct {
		Items json.RawMessage
		Links map[string]any
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, "", fmt.Errorf("decode collection: %w", err)
	}
	if env.Items == nil {
		return nil, "", errors.New("not a collection: the answer is neither a JSON array nor an object with Items")
	}
	if err := json.Unmarshal(env.Items, &items); err != nil {
		return nil, "", fmt.Errorf("decode collection Items: %w", err)
	}
	switch link := env.Links["Page.Next"].(type) {
	case nil:
	case string:
		next = link
	default:
		return nil, "", fmt.Errorf("decode collection: Links[\"Page.Next\"] is a %T, not a string", link)
	}
	return items, next, nil
}
