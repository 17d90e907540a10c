package io.sqreenrelay.it;

/** Every target, its retries and dead letters, against the real RabbitMQ at 127.0.0.1:5672, in a vhost of its own. */
class TargetsOnRabbitMqIT extends TargetsContractTestBase {

    @Override
    TestBroker newBroker() {
        return TestBroker.rabbitMq();
    }
}
