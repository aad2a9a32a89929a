<?php
/**
 * Signed HTTP calls to the PagoEfectivo bridge. Returns decoded arrays or WP_Error whose message
 * is safe to show (the bridge's Spanish shopper/merchant message), never a secret.
 */

defined( 'ABSPATH' ) || exit;

class PE_Bridge_Client {
	/** @var string */
	private $bridge_url;
	/** @var string */
	private $store_id;
	/** @var string */
	private $secret;

	public function __construct( $bridge_url, $store_id, $secret ) {
		$this->bridge_url = rtrim( (string) $bridge_url, '/' );
		$this->store_id   = (string) $store_id;
		$this->secret     = (string) $secret;
	}

	public function is_configured() {
		return '' !== $this->bridge_url && '' !== $this->store_id && '' !== $this->secret;
	}

	public function create_voucher( array $payload ) {
		return $this->request( 'POST', '/plugin/v1/vouchers', $payload );
	}

	public function get_voucher( $order_id ) {
		return $this->request( 'GET', '/plugin/v1/vouchers/' . absint( $order_id ), null );
	}

	public function request_refund( array $payload ) {
		return $this->request( 'POST', '/plugin/v1/refunds', $payload );
	}

	/** One-time exchange after "Conectar con PagoEfectivo" (unsigned: the code is the secret). */
	public function claim( $claim_code ) {
		$response = wp_remote_post(
			$this->bridge_url . '/wc-auth/v1/claim',
			array(
				'timeout' => 15,
				'headers' => array( 'Content-Type' => 'application/json' ),
				'body'    => wp_json_encode( array( 'claim' => (string) $claim_code ) ),
			)
		);
		return $this->decode( $response );
	}

	private function request( $method, $path, $payload ) {
		if ( ! $this->is_configured() ) {
			return new WP_Error( 'pagoefectivo_not_configured', __( 'PagoEfectivo no está configurado en esta tienda.', 'woocommerce-pagoefectivo' ) );
		}
		$body    = null === $payload ? '' : wp_json_encode( $payload );
		$headers = PE_Signer::headers( $this->store_id, $this->secret, $method, $path, $body );
		$headers['Content-Type'] = 'application/json';
		$response = wp_remote_request(
			$this->bridge_url . $path,
			array(
				'method'  => $method,
				'timeout' => 20,
				'headers' => $headers,
				'body'    => $body,
			)
		);
		return $this->decode( $response );
	}

	private function decode( $response ) {
		if ( is_wp_error( $response ) ) {
			return new WP_Error( 'pagoefectivo_unreachable', __( 'No pudimos comunicarnos con PagoEfectivo. Inténtalo de nuevo en unos minutos o elige otro medio de pago.', 'woocommerce-pagoefectivo' ) );
		}
		$status = (int) wp_remote_retrieve_response_code( $response );
		$data   = json_decode( (string) wp_remote_retrieve_body( $response ), true );
		if ( $status >= 200 && $status < 300 && is_array( $data ) ) {
			return $data;
		}
		$message = __( 'No pudimos procesar el pago con PagoEfectivo. Inténtalo de nuevo en unos minutos o elige otro medio de pago.', 'woocommerce-pagoefectivo' );
		$code    = 'pagoefectivo_error';
		if ( is_array( $data ) ) {
			$code = isset( $data['code'] ) ? 'pagoefectivo_' . sanitize_key( (string) $data['code'] ) : $code;
			if ( ! empty( $data['merchant_message'] ) ) {
				$message = (string) $data['merchant_message'];
			}
		}
		return new WP_Error( $code, $message, array( 'status' => $status, 'shopper_message' => is_array( $data ) && ! empty( $data['shopper_message'] ) ? (string) $data['shopper_message'] : null ) );
	}
}
