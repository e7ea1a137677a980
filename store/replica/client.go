package replica

import (
	"fmt"
	"path"

	"github.com/benbjohnson/litestream"
	"github.com/benbjohnson/litestream/file"
	"github.com/benbjohnson/litestream/s3"
)

// dbClient is the Litestream client of the database's replica: the LTX files
// go under db/ of the replica, the media files under media/ (media.go).
func (c Config) dbClient() (litestream.ReplicaClient, error) {
	scheme, where, prefix, err := c.location()
	if err != nil {
		return nil, err
	}
	if scheme == "file" {
		return file.NewReplicaClient(path.Join(where, "db")), nil
	}
	cl := s3.NewReplicaClient()
	cl.Bucket, cl.Path, cl.Region = where, path.Join(prefix, "db"), c.Region
	cl.AccessKeyID, cl.SecretAccessKey = c.Getenv(c.AccessKeyEnv), c.Getenv(c.SecretKeyEnv)
	if c.Endpoint != "" {
		cl.Endpoint, cl.ForcePathStyle = c.Endpoint, true
	}
	if cl.AccessKeyID == "" || cl.SecretAccessKey == "" {
		return nil, fmt.Errorf("replication: set %s and %s to the S3 keys", c.AccessKeyEnv, c.SecretKeyEnv)
	}
	return cl, nil
}
