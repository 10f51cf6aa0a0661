# Stand-in for hyperledger/fabric-orderer, FROM scratch (see peer.Dockerfile).
FROM scratch
COPY orderer osnadmin probe /usr/local/bin/
COPY orderer.yaml /etc/hyperledger/fabric/orderer.yaml
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV FABRIC_CFG_PATH=/etc/hyperledger/fabric TMPDIR=/var/hyperledger/production
VOLUME /var/hyperledger/production
EXPOSE 7050
ENTRYPOINT ["/usr/local/bin/orderer"]
