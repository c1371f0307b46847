// sarama_check: Shopify/sarama (Debian's 1.22) against a broker: creates a
// 3-partition topic (ClusterAdmin), produces N keyed records with a
// SyncProducer (acks=all), consumes them in a consumer group of two members
// (ConsumerGroup), marks and commits every offset, then checks that the
// group's committed offsets (OffsetFetch to the coordinator) sum to N.
// Exits non-zero with a message on any mismatch.
//
//	sarama_check BOOTSTRAP TOPIC GROUP N
package main

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/Shopify/sarama"
)

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, "sarama_check: "+format+"\n", args...)
	os.Exit(1)
}

type handler struct {
	mu   sync.Mutex
	seen map[string]bool
	want int
	done chan struct{}
	once sync.Once
}

func (h *handler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *handler) Cleanup(sarama.ConsumerGroupSession) error { return nil }

func (h *handler) ConsumeClaim(s sarama.ConsumerGroupSession, c sarama.ConsumerGroupClaim) error {
	for m := range c.Messages() {
		s.MarkMessage(m, "")
		h.mu.Lock()
		h.seen[string(m.Value)] = true
		n := len(h.seen)
		h.mu.Unlock()
		if n >= h.want {
			h.once.Do(func() { close(h.done) })
		}
	}
	return nil
}

func config() *sarama.Config {
	c := sarama.NewConfig()
	c.Version = sarama.V2_0_0_0
	c.ClientID = "spate-sarama-check"
	c.Producer.Return.Successes = true
	c.Producer.RequiredAcks = sarama.WaitForAll
	c.Consumer.Offsets.Initial = sarama.OffsetOldest
	c.Consumer.Offsets.CommitInterval = 100 * time.Millisecond
	c.Consumer.Group.Rebalance.Timeout = 10 * time.Second
	return c
}

func createTopic(brokers []string, topic string) {
	admin, err := sarama.NewClusterAdmin(brokers, config())
	if err != nil {
		fail("cluster admin: %v", err)
	}
	defer admin.Close()
	err = admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1}, false)
	if err != nil {
		fail("create topic: %v", err)
	}
}

func produce(brokers []string, topic string, n int) {
	p, err := sarama.NewSyncProducer(brokers, config())
	if err != nil {
		fail("producer: %v", err)
	}
	defer p.Close()
	for i := 0; i < n; i++ {
		msg := &sarama.ProducerMessage{Topic: topic, Key: sarama.StringEncoder(strconv.Itoa(i)),
			Value: sarama.StringEncoder("v-" + strconv.Itoa(i))}
		if _, _, err := p.SendMessage(msg); err != nil {
			fail("send %d: %v", i, err)
		}
	}
}

func consume(brokers []string, topic, group string, n int) {
	h := &handler{seen: map[string]bool{}, want: n, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var groups []sarama.ConsumerGroup
	for m := 0; m < 2; m++ {
		g, err := sarama.NewConsumerGroup(brokers, group, config())
		if err != nil {
			fail("consumer group: %v", err)
		}
		groups = append(groups, g)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				if err := g.Consume(ctx, []string{topic}, h); err != nil && ctx.Err() == nil {
					fmt.Fprintf(os.Stderr, "consume: %v\n", err)
					time.Sleep(100 * time.Millisecond)
				}
			}
		}()
	}
	select {
	case <-h.done:
	case <-time.After(25 * time.Second):
		h.mu.Lock()
		fail("consumed %d of %d records", len(h.seen), n)
	}
	time.Sleep(300 * time.Millisecond) // > CommitInterval: the marks are committed
	cancel()
	for _, g := range groups {
		g.Close() // commits what is marked
	}
	wg.Wait()
}

func committed(brokers []string, topic, group string) int64 {
	client, err := sarama.NewClient(brokers, config())
	if err != nil {
		fail("client: %v", err)
	}
	defer client.Close()
	parts, err := client.Partitions(topic)
	if err != nil {
		fail("partitions: %v", err)
	}
	coord, err := client.Coordinator(group)
	if err != nil {
		fail("coordinator: %v", err)
	}
	req := &sarama.OffsetFetchRequest{ConsumerGroup: group, Version: 1}
	for _, p := range parts {
		req.AddPartition(topic, p)
	}
	resp, err := coord.FetchOffset(req)
	if err != nil {
		fail("offset fetch: %v", err)
	}
	var total int64
	for _, p := range parts {
		b := resp.GetBlock(topic, p)
		if b == nil || b.Err != sarama.ErrNoError {
			fail("offset of partition %d: %v", p, b)
		}
		total += b.Offset
	}
	return total
}

func main() {
	if len(os.Args) != 5 {
		fail("usage: sarama_check BOOTSTRAP TOPIC GROUP N")
	}
	brokers := []string{os.Args[1]}
	topic, group := os.Args[2], os.Args[3]
	n, err := strconv.Atoi(os.Args[4])
	if err != nil {
		fail("N: %v", err)
	}
	createTopic(brokers, topic)
	produce(brokers, topic, n)
	consume(brokers, topic, group, n)
	if got := committed(brokers, topic, group); got != int64(n) {
		fail("committed offsets sum to %d, expected %d", got, n)
	}
	fmt.Printf("sarama: produced %d, consumed them in group %s (2 members), committed %d\n", n, group, n)
}
