package dev.gatehouse.collector;

import dev.gatehouse.proto.agent.v1.AgentMessage;
import dev.gatehouse.proto.agent.v1.ControlMessage;
import dev.gatehouse.proto.agent.v1.NodeSessionGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** One session as a test agent sees it: what it sends, and every reply (a message, or the Status it ended with). */
public record AgentStream(StreamObserver<AgentMessage> requests, BlockingQueue<Object> replies) {

    public static AgentStream open(ManagedChannel channel) {
        BlockingQueue<Object> replies = new LinkedBlockingQueue<>();
        StreamObserver<AgentMessage> requests = NodeSessionGrpc.newStub(channel).connect(new StreamObserver<>() {
            @Override
            public void onNext(ControlMessage value) {
                replies.add(value);
            }

            @Override
            public void onError(Throwable t) {
                replies.add(Status.fromThrowable(t));
            }

            @Override
            public void onCompleted() {
                replies.add(Status.OK);
            }
        });
        return new AgentStream(requests, replies);
    }
}
