// Writes a line protocol file to an InfluxDB 1.x /write endpoint through
// InfluxDB's Go client for 1.x (github.com/influxdata/influxdb1-client/v2),
// the way a Go service would: a ping, then one batch of points, with the
// token as the password of HTTP Basic auth. Run by .ci/ingest-clients.
//
// usage: ingest-go-client URL TOKEN DATABASE FILE
package main

import (
	"fmt"
	"os"
	"time"

	client "github.com/influxdata/influxdb1-client/v2"
	"github.com/influxdata/influxdb1-client/models"
)

func main() {
	if len(os.Args) != 5 {
		fmt.Fprintln(os.Stderr, "usage: ingest-go-client URL TOKEN DATABASE FILE")
		os.Exit(2)
	}
	url, token, database, file := os.Args[1], os.Args[2], os.Args[3], os.Args[4]
	if err := run(url, token, database, file); err != nil {
		fmt.Fprintln(os.Stderr, "ingest-go-client:", err)
		os.Exit(1)
	}
}

func run(url, token, database, file string) error {
	lines, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	parsed, err := models.ParsePointsWithPrecision(lines, time.Now(), "s")
	if err != nil {
		return fmt.Errorf("parsing %s: %w", file, err)
	}
	c, err := client.NewHTTPClient(client.HTTPConfig{
		Addr:     url,
		Username: "go-client",
		Password: token,
		Timeout:  10 * time.Second,
	})
	if err != nil {
		return err
	}
	defer c.Close()
	if _, version, err := c.Ping(5 * time.Second); err != nil {
		return fmt.Errorf("ping: %w", err)
	} else if version == "" {
		return fmt.Errorf("ping: no X-Influxdb-Version header")
	}
	batch, err := client.NewBatchPoints(client.BatchPointsConfig{
		Database:  database,
		Precision: "s",
	})
	if err != nil {
		return err
	}
	for _, point := range parsed {
		batch.AddPoint(client.NewPointFrom(point))
	}
	if err := c.Write(batch); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	fmt.Printf("wrote %d points\n", len(parsed))
	return nil
}
