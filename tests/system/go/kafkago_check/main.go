// kafkago_check: segmentio/kafka-go (Debian's 0.2.1, which speaks Produce v2
// with magic-1 message sets, Fetch v2, OffsetCommit v2, JoinGroup v1,
// SyncGroup v0, ...) against a broker: creates a 3-partition topic
// (CreateTopics v0), produces N records — most through a Writer
// (uncompressed message sets), ten gzip- and ten snappy-compressed wrappers
// through a leader connection — then consumes them in a group of two
// Readers that commit what they read (ReadMessage stashes the offset, the
// commit loop and Close send OffsetCommit v2). Every value must arrive
// (duplicates across a rebalance are allowed: at-least-once). The caller
// checks the group's committed offsets.
//
//	kafkago_check BOOTSTRAP TOPIC GROUP N
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/gzip"
	"github.com/segmentio/kafka-go/snappy"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "kafkago_check: "+format+"\n", args...)
	os.Exit(1)
}

const compressedEach = 10

func createTopic(bootstrap, topic string) {
	conn, err := kafka.Dial("tcp", bootstrap)
	if err != nil {
		fail("dial: %v", err)
	}
	defer conn.Close()
	err = conn.CreateTopics(kafka.TopicConfig{Topic: topic, NumPartitions: 3, ReplicationFactor: 1})
	if err != nil {
		fail("create topic: %v", err)
	}
}

func value(i int) []byte { return []byte("value-" + strconv.Itoa(i)) }

// produceCompressed writes values [from, from+compressedEach) to partition 0
// as one compressed wrapper message.
func produceCompressed(bootstrap, topic string, codec kafka.CompressionCodec, from int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := kafka.DialLeader(ctx, "tcp", bootstrap, topic, 0)
	if err != nil {
		fail("dial leader: %v", err)
	}
	defer conn.Close()
	var msgs []kafka.Message
	for i := from; i < from+compressedEach; i++ {
		msgs = append(msgs, kafka.Message{Key: []byte(strconv.Itoa(i)), Value: value(i)})
	}
	conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.WriteCompressedMessages(codec, msgs...); err != nil {
		fail("compressed write (codec %d): %v", codec.Code(), err)
	}
}

func produce(bootstrap, topic string, n int) {
	w := kafka.NewWriter(kafka.WriterConfig{
		Brokers:      []string{bootstrap},
		Topic:        topic,
		Balancer:     &kafka.Hash{},
		BatchSize:    50,
		BatchTimeout: 10 * time.Millisecond,
		RequiredAcks: -1,
	})
	var msgs []kafka.Message
	for i := 2 * compressedEach; i < n; i++ {
		msgs = append(msgs, kafka.Message{Key: []byte(strconv.Itoa(i)), Value: value(i)})
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := w.WriteMessages(ctx, msgs...); err != nil {
		fail("write: %v", err)
	}
	if err := w.Close(); err != nil {
		fail("writer close: %v", err)
	}
	produceCompressed(bootstrap, topic, gzip.NewCompressionCodec(), 0)
	produceCompressed(bootstrap, topic, snappy.NewCompressionCodec(), compressedEach)
}

func consume(bootstrap, topic, group string, n int) {
	var mu sync.Mutex
	seen := map[string]bool{}
	done := make(chan struct{})
	var once sync.Once
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	readers := make([]*kafka.Reader, 2)
	for m := range readers {
		readers[m] = kafka.NewReader(kafka.ReaderConfig{
			Brokers:           []string{bootstrap},
			GroupID:           group,
			Topic:             topic,
			MinBytes:          1,
			MaxBytes:          1 << 20,
			MaxWait:           200 * time.Millisecond,
			HeartbeatInterval: 300 * time.Millisecond,
			CommitInterval:    100 * time.Millisecond,
			SessionTimeout:    6 * time.Second,
			RebalanceTimeout:  6 * time.Second,
		})
		wg.Add(1)
		go func(r *kafka.Reader) {
			defer wg.Done()
			for {
				msg, err := r.ReadMessage(ctx)
				if err != nil {
					return // cancelled
				}
				mu.Lock()
				seen[string(msg.Value)] = true
				got := len(seen)
				mu.Unlock()
				if got >= n {
					once.Do(func() { close(done) })
				}
			}
		}(readers[m])
	}
	select {
	case <-done:
	case <-time.After(40 * time.Second):
		mu.Lock()
		fail("consumed %d distinct values of %d", len(seen), n)
	}
	// Close commits what is still stashed and leaves the group.
	cancel()
	wg.Wait()
	for _, r := range readers {
		if err := r.Close(); err != nil {
			fail("reader close: %v", err)
		}
	}
	for i := 0; i < n; i++ {
		if !seen[string(value(i))] {
			fail("value %d never consumed", i)
		}
	}
}

func main() {
	if len(os.Args) != 5 {
		fail("usage: kafkago_check BOOTSTRAP TOPIC GROUP N")
	}
	bootstrap, topic, group := os.Args[1], os.Args[2], os.Args[3]
	n, err := strconv.Atoi(os.Args[4])
	if err != nil || n < 2*compressedEach {
		fail("bad N %q", os.Args[4])
	}
	createTopic(bootstrap, topic)
	produce(bootstrap, topic, n)
	consume(bootstrap, topic, group, n)
	fmt.Printf("kafkago_check: produced and consumed %d records in group %s\n", n, group)
}
